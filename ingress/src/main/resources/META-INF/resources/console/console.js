// The operator console's one script (issue 17). No inline script anywhere (CSP default-src 'self').
// The token: kept in this tab's sessionStorage, never in a cookie, so nothing sends it but this script:
// every htmx request gets it as an Authorization header (htmx:configRequest), every form posts JSON
// with it to the operator API. Without a token the page shows the login form only.
(function () {
  'use strict';
  var KEY = 'wallet-console-token';

  function token() {
    return sessionStorage.getItem(KEY);
  }

  function el(id) {
    return document.getElementById(id);
  }

  function say(id, text, isError) {
    var p = el(id);
    if (p) {
      p.textContent = text;
      p.className = isError ? 'error' : 'ok';
    }
  }

  // The claims of a JWT, for showing who is logged in (the server checks the signature, not this).
  function claims(jwt) {
    try {
      var part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part + '==='.slice((part.length + 3) % 4)));
    } catch (e) {
      return null;
    }
  }

  // An error answer of the operator API, in its own words: {"error","message"} or {"code","message"}.
  function apiError(status, text) {
    try {
      var body = JSON.parse(text);
      return status + ' ' + (body.error || body.code || '') + ': ' + (body.message || text);
    } catch (e) {
      return status + (text ? ': ' + text : '');
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  document.addEventListener('htmx:configRequest', function (evt) {
    var t = token();
    if (!t) {
      evt.preventDefault();
      return;
    }
    evt.detail.headers['Authorization'] = 'Bearer ' + t;
  });

  document.addEventListener('htmx:responseError', function (evt) {
    var xhr = evt.detail.xhr;
    say('status', apiError(xhr.status, xhr.responseText), true);
    if (xhr.status === 401) {
      sessionStorage.removeItem(KEY);
    }
  });

  document.addEventListener('htmx:sendError', function () {
    say('status', 'the console could not reach the wallet', true);
  });

  document.addEventListener('DOMContentLoaded', function () {
    var t = token();
    el('login').hidden = !!t;
    el('main').hidden = !t;
    el('logout').hidden = !t;
    if (t) {
      var c = claims(t) || {};
      el('who').textContent = (c.sub || '?') + ' (' + (c.groups || []).join(', ') + ')';
    }
    el('login-form').addEventListener('submit', function (evt) {
      evt.preventDefault();
      var value = el('token').value.trim();
      if (value.split('.').length !== 3) {
        say('status', 'that is not a JWT (three dot-separated parts)', true);
        return;
      }
      sessionStorage.setItem(KEY, value);
      window.location.reload();
    });
    el('logout').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      window.location.reload();
    });
    Array.prototype.forEach.call(document.querySelectorAll('form.api'), function (form) {
      form.addEventListener('submit', function (evt) {
        evt.preventDefault();
        submit(form);
      });
    });
  });

  // A write through the operator API: the form's fields as a JSON object (number inputs as numbers), a fresh
  // idempotency id where the form asks for one (data-idempotent names its field), a confirmation where it asks.
  function submit(form) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      return;
    }
    var body = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) {
        return;
      }
      body[input.name] = input.type === 'number' ? Number(input.value) : input.value;
    });
    if (form.dataset.idempotent) {
      body[form.dataset.idempotent] = 'console-' + uuid();
    }
    var button = form.querySelector('button');
    button.disabled = true;
    fetch(form.dataset.api, {
      method: form.dataset.method,
      headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token() },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        if (r.ok) {
          say('form-result', 'done (' + r.status + ')', false);
          form.reset();
          htmx.trigger(document.body, 'refresh');
        } else {
          say('form-result', apiError(r.status, text), true);
        }
      });
    }).catch(function () {
      say('form-result', 'the console could not reach the wallet', true);
    }).finally(function () {
      button.disabled = false;
    });
  }
})();
