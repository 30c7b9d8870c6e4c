// The path through the page for a newcomer: the "Start here" map at the top (index.html) says which
// question each demo answers, and each demo's code pair folds into one line ("The code: …") until a
// reader opens it, so the demos themselves come first. The fold is the embed's own (www/embed.js); an
// embed folds its one demo itself, after the parts its link leaves out.
import { foldCode } from "./embed.js";
import { requested } from "./share.js";

const link = requested();
if (!(link.embed && link.demo)) foldCode(document);
