// GOV.UK Frontend styles its components for JavaScript only once the body says it runs.
// Loaded (not inline, for the Content-Security-Policy) at the top of the body, before
// anything is drawn, so that nothing jumps when the components start.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
