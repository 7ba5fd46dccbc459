// The reader's theme, put on <html data-theme> before the page is first painted: this
// file is a classic script in <head>, above the stylesheet, so no page ever shows in
// the other theme first. Without a choice the attribute stays off and the stylesheet
// follows the system (prefers-color-scheme). theme.js keeps the choice and changes it,
// under the same key (tests/js/theme.test.mjs holds the two together).
(function () {
  var choice = null;
  try {
    choice = localStorage.getItem("tasklane-theme");
  } catch (e) {
    // Storage refused (a locked-down browser): the system's theme.
  }
  if (choice === "light" || choice === "dark") document.documentElement.dataset.theme = choice;
})();
