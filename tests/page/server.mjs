// A plain static file server for dist/, the kind a tutorial author would deploy to, with or without
// the cross-origin isolation headers. Used by the page tests and the browser benchmarks.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".py": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

// WebKit's classic WebDriver has no console, error or network events: in the WebKit run every HTML
// page gets the driver's error recorder first in its <head>, and answers ≥ 400 are reported to it
// (see ./webdriver.mjs). Other engines get the files untouched.
const webkit = process.env.PLAYGROUND_ENGINE === "webkit" ? await import("./webdriver.mjs") : null;

/**
 * A route's own HTML as serveStatic serves its pages: in the WebKit run with the error recorder first
 * (see withRecorder in ./webdriver.mjs), so the page's load-time errors are caught; untouched otherwise.
 */
export const recordedHtml = (html) => (webkit ? webkit.withRecorder(html) : html);

/** The built site the tests serve: `dist/`, or another folder built with `trunk build --dist <dir>`. */
export const DIST = process.env.PLAYGROUND_DIST ?? "dist";

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

/**
 * Serves `root` on 127.0.0.1 (a free port). Resolves to { url, close }.
 * `routes` maps a path to a handler `(request, response) => void` that answers instead of a file
 * (the tests' broken and slow servers). `sampleLatencyMs` makes every `/samples/` file wait that
 * long before its first byte: a real slow server, behind the browser's real connection limit.
 * `cors` lets pages of any origin read the files (`Access-Control-Allow-Origin: *`).
 */
export async function serveStatic(root, { isolation = true, routes = {}, sampleLatencyMs = 0, cors = false } = {}) {
  const base = resolve(root);
  const sockets = new Set();
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    if (webkit) {
      webkit.noteResponse(request, response);
      if (path === webkit.RECORDER_PATH) {
        response.writeHead(200, { "Content-Type": TYPES[".js"], "Cache-Control": "no-store" }).end(webkit.recorderScript());
        return;
      }
    }
    if (routes[path]) {
      routes[path](request, response);
      return;
    }
    if (sampleLatencyMs && path.startsWith("/samples/")) await new Promise((r) => setTimeout(r, sampleLatencyMs));
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = webkit && extname(file) === ".html" ? webkit.withRecorder(await readFile(file)) : await readFile(file);
      response.writeHead(200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cache-Control": "no-cache",
        ...(isolation ? ISOLATION_HEADERS : {}),
        ...(cors ? { "Access-Control-Allow-Origin": "*" } : {}),
      });
      response.end(body);
    } catch {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise((done) => {
        // Hanging test routes keep sockets open; close them so the server can stop.
        for (const socket of sockets) socket.destroy();
        server.close(done);
      }),
  };
}
