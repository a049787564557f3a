// Starts the NHS design system's progressive enhancements (header menu, error summary focus).
// Every page works without this script.
import { initAll } from "./nhsuk-frontend.min.js";
initAll();
