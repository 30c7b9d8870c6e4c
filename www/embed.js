// Embed mode (`?embed=1`): the page inside another site's iframe shows one demo, compact, and tells the
// page around it how tall it is. Also the iframe snippet the "Embed or share" panels offer.

import { DEMOS } from "./share.js";

/** Embed mode: only the named demo, compact, without the site's header and footer. */
export function applyEmbed(demo) {
  document.body.classList.add("embed");
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== DEMOS[demo].section;
}

/** The iframe that shows `demo` at `src` on a tutorial's page. */
export function embedSnippet(demo, src) {
  return `<iframe src="${src}" title="Concurrency Playground: ${DEMOS[demo].title}" width="100%" height="720" allow="cross-origin-isolated" loading="lazy"></iframe>`;
}
