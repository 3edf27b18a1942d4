// Submits the auto-posting forms once the page has loaded: the OIDC
// form_post response (#form-post) and the /continue bounce
// (form[data-autosubmit]). Without JavaScript their Continue button does
// it. The prototype's submit is called because a posted field named
// "submit" would shadow form.submit.
"use strict";
document.querySelectorAll("#form-post, form[data-autosubmit]").forEach((f) => HTMLFormElement.prototype.submit.call(f));
