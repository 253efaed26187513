// Runs before the page's module: shows errors that happen while it loads, and
// says so if it never starts (an old browser without ES modules, a failed load).
(function () {
  function show(message) {
    var box = document.getElementById('fatal');
    if (!box || document.body.getAttribute('data-ready') === 'true') return;
    box.hidden = false;
    box.textContent = 'The playground could not start: ' + message;
  }
  window.addEventListener('error', function (e) {
    show(e.message || 'a script failed to load');
  });
  setTimeout(function () {
    if (document.body && document.body.getAttribute('data-ready') !== 'true') show('it did not finish loading (this browser may lack ES modules or WebAssembly).');
  }, 20000);
})();
