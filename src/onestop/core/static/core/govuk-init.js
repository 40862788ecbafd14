// Starts every GOV.UK Frontend component on the page (accordions, error summaries,
// notification banners...). A module of its own, not an inline one, for the
// Content-Security-Policy; the path is relative to this file under /static/.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
