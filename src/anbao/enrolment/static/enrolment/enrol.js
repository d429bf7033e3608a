// The enrolment page: makes the key pair and the PKCS#10 request here, posts the request,
// then encrypts the private key with the holder's PIN and offers it as a file. Nothing
// private is sent anywhere. Text shown to people comes from the page (translated there).
(function () {
  "use strict";
  var root = document.getElementById("enrol");
  if (!root) return;
  var M = JSON.parse(document.getElementById("enrol-messages").textContent);
  var status = document.getElementById("status");
  var keyPair = null;
  var issued = null;
  var keySaved = true;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || "";
  }

  function offer(name, content, type) {
    var blob = new Blob([content], { type: type || "application/x-pem-file" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.textContent = name;
    link.className = "download";
    var item = document.createElement("li");
    item.appendChild(link);
    document.getElementById("files").appendChild(item);
    document.getElementById("step-files").hidden = false;
    return link;
  }

  function offerCertificates(result) {
    var s = result.serial;
    offer(s + ".sign.cert.pem", result.certificate).id = "download-cert";
    offer("ca-chain.pem", result.chain).id = "download-chain";
    if (result.encryption_certificate) {
      offer(s + ".enc.cert.pem", result.encryption_certificate).id = "download-enc-cert";
      offer(s + ".enc.envelope.der", AnbaoSM.fromBase64(result.envelope),
        "application/octet-stream").id = "download-envelope";
    }
  }

  function submit(csrPem) {
    say(M.submitting);
    return fetch(root.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "omit",
      body: JSON.stringify({ csr: csrPem }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var message = body.error ? body.error.message : response.status + " " + response.statusText;
          throw new Error(message);
        }
        return body;
      });
    }, function () { throw new Error(M.network); });
  }

  function fail(error) {
    say(M.failed + " " + error.message, "bad");
  }

  function generate(event) {
    var button = event.target;
    if (!window.AnbaoSM || !window.crypto || !window.crypto.getRandomValues) {
      say(M.noCrypto, "bad");
      return;
    }
    button.disabled = true;
    say(M.generating);
    // Let the message paint before the (short) key generation blocks the page.
    setTimeout(function () {
      try {
        keyPair = AnbaoSM.generateKeyPair();
        var csr = AnbaoSM.buildCsr(keyPair, { CN: root.dataset.name, OU: root.dataset.unit });
      } catch (error) {
        button.disabled = false;
        fail(error);
        return;
      }
      submit(csr.pem).then(function (result) {
        issued = result;
        keySaved = false;
        document.getElementById("step-generate").hidden = true;
        document.getElementById("step-pin").hidden = false;
        document.getElementById("pin").focus();
        say(M.issued, "ok");
      }, function (error) {
        keyPair = null;
        button.disabled = false;
        fail(error);
      });
    }, 30);
  }

  function protect(event) {
    event.preventDefault();
    var pin = document.getElementById("pin").value;
    var again = document.getElementById("pin2").value;
    if (pin.length < 6) return say(M.pinShort, "bad");
    if (pin !== again) return say(M.pinMismatch, "bad");
    var button = document.getElementById("protect");
    button.disabled = true;
    say(M.encrypting);
    AnbaoSM.encryptPrivateKey(AnbaoSM.privateKeyInfo(keyPair), pin).then(function (pem) {
      document.getElementById("step-pin").hidden = true;
      document.getElementById("pin").value = "";
      document.getElementById("pin2").value = "";
      offer(issued.serial + ".sign.key.pem", pem).id = "download-key";
      offerCertificates(issued);
      keyPair = null;
      keySaved = true;
      say(M.ready, "ok");
    }, function (error) {
      button.disabled = false;
      fail(error);
    });
  }

  function submitCsr(event) {
    event.preventDefault();
    var text = document.getElementById("csr").value.trim();
    if (text.indexOf("-----BEGIN") < 0) return say(M.csrMissing, "bad");
    submit(text).then(function (result) {
      document.getElementById("csr-form").hidden = true;
      offerCertificates(result);
      say(M.mobileDone, "ok");
    }, fail);
  }

  window.addEventListener("beforeunload", function (event) {
    if (!keySaved) {
      event.preventDefault();
      event.returnValue = M.leave;
    }
  });

  if (root.dataset.profile === "pc") {
    document.getElementById("generate").addEventListener("click", generate);
    document.getElementById("pin-form").addEventListener("submit", protect);
  } else {
    document.getElementById("csr-form").addEventListener("submit", submitCsr);
  }
})();
