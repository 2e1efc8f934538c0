/* Simpul: optional Web Push subscription. The form works without it. */
(function () {
  var box = document.getElementById("webpush");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  box.hidden = false;
  var status = document.getElementById("webpush-status");
  function key(b64) {
    var pad = "=".repeat((4 - b64.length % 4) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  document.getElementById("webpush-btn").addEventListener("click", function () {
    var form = document.querySelector("form[method=post]");
    var region = form.desa.value || form.kecamatan.value || form.kabkota.value;
    if (!region) { status.textContent = "{{ _('Pilih kabupaten/kota dulu.')|escapejs }}"; return; }
    navigator.serviceWorker.register(box.dataset.sw).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.dataset.key) });
    }).then(function (sub) {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.csrfmiddlewaretoken.value);
      body.append("subscription", JSON.stringify(sub));
      body.append("wilayah", region);
      form.querySelectorAll("input[name=topics]:checked").forEach(function (t) { body.append("topics", t.value); });
      return fetch(box.dataset.url, { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (r) { return r.json(); }).then(function (d) {
      status.textContent = d.ok ? "{{ _('Notifikasi aktif di peramban ini.')|escapejs }}" : d.error;
    }).catch(function () {
      status.textContent = "{{ _('Notifikasi tidak dapat diaktifkan di peramban ini.')|escapejs }}";
    });
  });
})();
