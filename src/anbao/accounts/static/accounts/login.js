// The sign-in page: when a key file is chosen, fetch a challenge, open the key with the PIN
// here, sign the challenge and send only the signature with the password. The key file and
// the PIN never leave the page. Protocol: docs/cert-login.md.
(function () {
  "use strict";
  var form = document.getElementById("login-form");
  if (!form || !window.AnbaoSM) return;
  var M = JSON.parse(document.getElementById("login-messages").textContent);
  var status = document.getElementById("login-status");
  var signed = false;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || "";
  }

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsText(file);
    });
  }

  form.addEventListener("submit", function (event) {
    var file = document.getElementById("key-file").files[0];
    if (signed || !file) return;  // password only, or the signature is in place
    event.preventDefault();
    var username = document.getElementById("id_username").value.trim();
    var pin = document.getElementById("key-pin").value;
    if (!username) { say(M.need_username, "bad"); return; }
    if (!pin) { say(M.need_pin, "bad"); return; }
    say(M.signing);
    var keyPair;
    readFile(file)
      .then(function (text) { return AnbaoSM.decryptPrivateKey(text, pin); })
      .then(function (kp) {
        keyPair = kp;
        return fetch("/api/auth/challenge", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ username: username }),
        });
      })
      .then(function (response) {
        if (!response.ok) throw new Error(M.challenge_failed);
        return response.json();
      })
      .then(function (challenge) {
        var message = AnbaoSM.fromBase64(challenge.message);
        var signature = AnbaoSM.sign(message, keyPair);
        form.querySelector("input[name=challenge_id]").value = challenge.challenge_id;
        form.querySelector("input[name=signature]").value = AnbaoSM.toBase64(signature);
        signed = true;
        form.submit();
      })
      .catch(function (error) {
        say(error && error.code === "bad_pin" ? M.bad_pin : (error.message || M.failed), "bad");
      });
  });
})();
