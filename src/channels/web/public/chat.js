/*
 * Web chat client: plain JavaScript, no build step, nothing loaded from elsewhere.
 * The session id is random, made here and kept in localStorage (it is the citizen's only
 * identity on the web); the transcript is kept in sessionStorage so a reload keeps it.
 */
(function () {
  'use strict';

  var POLL_MS = 15000;
  var MAX_TEXT = 2000;
  var HISTORY_LIMIT = 100;
  var SESSION_KEY = 'cchc-chat-session';
  var LOCALE_KEY = 'cchc-chat-locale';
  var HISTORY_KEY = 'cchc-chat-history';

  var UI = {
    vi: {
      subtitle: 'Hỏi đáp thủ tục hành chính · Phản ánh, kiến nghị',
      inputLabel: 'Câu hỏi của Anh/Chị',
      placeholder: 'Nhập câu hỏi…',
      send: 'Gửi',
      hint: 'Nhấn Enter để gửi, Shift+Enter để xuống dòng.',
      skip: 'Đến ô nhập câu hỏi',
      language: 'Ngôn ngữ',
      log: 'Cuộc trò chuyện',
      suggestions: 'Gợi ý trả lời',
      you: 'Anh/Chị',
      typing: 'Đang trả lời…',
      error: 'Chưa gửi được tin nhắn. Anh/Chị vui lòng kiểm tra kết nối và thử lại.',
      tooLong: 'Tin nhắn dài quá 2.000 ký tự, Anh/Chị vui lòng rút gọn.',
      newMessages: 'Có tin nhắn mới',
    },
    en: {
      subtitle: 'Administrative procedures · Feedback and complaints',
      inputLabel: 'Your question',
      placeholder: 'Type your question…',
      send: 'Send',
      hint: 'Press Enter to send, Shift+Enter for a new line.',
      skip: 'Skip to the message box',
      language: 'Language',
      log: 'Conversation',
      suggestions: 'Suggested replies',
      you: 'You',
      typing: 'Replying…',
      error: 'Your message could not be sent. Please check your connection and try again.',
      tooLong: 'The message is longer than 2,000 characters; please shorten it.',
      newMessages: 'New messages',
    },
  };

  var els = {};
  var state = { locale: 'vi', sessionId: '', busy: Promise.resolve(), history: [], proof: '' };
  var botName = '';

  function $(id) {
    return document.getElementById(id);
  }

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(store, key, value) {
    try {
      window[store].setItem(key, value);
    } catch (e) {
      /* private mode: keep going without */
    }
  }

  /** 24 random bytes, base64url: 32 characters of [A-Za-z0-9_-], as the server requires. */
  function newSessionId() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    var binary = '';
    for (var i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function sessionId() {
    var id = storageGet('localStorage', SESSION_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = newSessionId();
      storageSet('localStorage', SESSION_KEY, id);
    }
    return id;
  }

  function t(key) {
    return (UI[state.locale] || UI.vi)[key];
  }

  /** Applies the page's own texts in the current language. */
  function applyLocale(locale) {
    state.locale = locale === 'en' ? 'en' : 'vi';
    storageSet('localStorage', LOCALE_KEY, state.locale);
    document.documentElement.lang = state.locale;
    document.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    document.querySelectorAll('[data-i18n-label]').forEach(function (el) {
      el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label')));
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) {
      el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
    });
    document.querySelectorAll('.lang-switch button').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-locale') === state.locale));
    });
  }

  /** Appends text to `parent`, turning web addresses into links (never HTML from the server). */
  function appendLinkified(parent, text) {
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)\]]+$/, '');
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement('a');
      link.href = url;
      link.textContent = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      parent.appendChild(link);
      last = match.index + url.length;
      pattern.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Adds one message to the log; `who` is bot, user, system or notification. */
  function addMessage(who, text, options) {
    var item = document.createElement('li');
    item.className = 'message ' + who;
    var speaker = document.createElement('span');
    speaker.className = 'visually-hidden';
    speaker.textContent = (who === 'user' ? t('you') : botName) + ': ';
    var bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.appendChild(speaker);
    appendLinkified(bubble, text);
    item.appendChild(bubble);
    els.messages.appendChild(item);
    if (!options || options.remember !== false) remember({ who: who, text: text });
    scrollToEnd();
    return item;
  }

  function scrollToEnd() {
    els.chat.scrollTop = els.chat.scrollHeight;
  }

  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > HISTORY_LIMIT) state.history = state.history.slice(-HISTORY_LIMIT);
    storageSet('sessionStorage', HISTORY_KEY, JSON.stringify({ history: state.history, quickReplies: currentQuickReplies() }));
  }

  var quickReplies = [];
  function currentQuickReplies() {
    return quickReplies;
  }

  /** Shows the quick replies of the latest bot message as buttons (previous ones go away). */
  function showQuickReplies(replies) {
    quickReplies = Array.isArray(replies) ? replies : [];
    els.quick.textContent = '';
    quickReplies.forEach(function (reply) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = reply.label;
      button.addEventListener('click', function () {
        send(reply.payload, reply.label);
        // The buttons are about to go away: keep focus somewhere useful.
        focusComposer();
      });
      els.quick.appendChild(button);
    });
    els.quick.hidden = quickReplies.length === 0;
    // The bar's height changed the log's: keep the latest message in view.
    scrollToEnd();
    storageSet('sessionStorage', HISTORY_KEY, JSON.stringify({ history: state.history, quickReplies: quickReplies }));
  }

  function showBotMessages(messages, who) {
    var lastReplies = [];
    (messages || []).forEach(function (message) {
      addMessage(who || 'bot', String(message.text || ''));
      if (message.quickReplies && message.quickReplies.length) lastReplies = message.quickReplies;
    });
    if ((messages || []).length) showQuickReplies(lastReplies);
  }

  function postJson(url, body) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          if (!response.ok && response.status !== 429 && response.status !== 428) throw new Error('HTTP ' + response.status);
          return json;
        });
    });
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ('0' + b.toString(16)).slice(-2);
      })
      .join('');
  }

  /**
   * Solves the server's proof-of-work challenge (ALTCHA: find n with SHA-256(salt + n) =
   * challenge), asked of a new session when its address is busier than usual; about a
   * second. Resolves with the base64 payload the server checks.
   */
  function solveChallenge(c) {
    var encoder = new TextEncoder();
    function attempt(n) {
      if (n > c.maxnumber) return Promise.reject(new Error('challenge not solved'));
      return crypto.subtle.digest('SHA-256', encoder.encode(c.salt + n)).then(function (digest) {
        if (hex(digest) === c.challenge) {
          return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature }));
        }
        return attempt(n + 1);
      });
    }
    return attempt(0);
  }

  /** POST /api/chat, solving the challenge once if the server asks for one (428). */
  function postChat(body) {
    if (state.proof) body.proof = state.proof;
    return postJson('/api/chat', body).then(function (json) {
      if (!json.challenge) return json;
      return solveChallenge(json.challenge).then(function (proof) {
        state.proof = proof;
        body.proof = proof;
        return postJson('/api/chat', body);
      });
    });
  }

  /**
   * Sends `text` (shown as `shown`, or not at all when `shown` is null: the language
   * switch). Messages go one at a time, in order.
   */
  function send(text, shown) {
    if (text.length > MAX_TEXT) {
      addMessage('system', t('tooLong'), { remember: false });
      return state.busy;
    }
    if (shown !== null) addMessage('user', shown === undefined ? text : shown);
    showQuickReplies([]);
    state.busy = state.busy.then(function () {
      var typing = addMessage('bot', t('typing'), { remember: false });
      typing.classList.add('typing');
      typing.setAttribute('aria-hidden', 'true');
      els.send.disabled = true;
      return postChat({ sessionId: state.sessionId, text: text, locale: state.locale })
        .then(function (json) {
          typing.remove();
          if (json.locale && json.locale !== state.locale) applyLocale(json.locale);
          showBotMessages(json.messages);
        })
        .catch(function () {
          typing.remove();
          addMessage('system', t('error'), { remember: false });
        })
        .then(function () {
          els.send.disabled = false;
        });
    });
    return state.busy;
  }

  function pollUpdates() {
    if (document.hidden) return;
    fetch('/api/chat/updates?sessionId=' + encodeURIComponent(state.sessionId), { credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.json() : { messages: [] };
      })
      .then(function (json) {
        if (json.messages && json.messages.length) {
          showBotMessages(json.messages, 'notification');
          els.status.textContent = t('newMessages');
        }
      })
      .catch(function () {
        /* offline: try again at the next tick */
      });
  }

  /** Focus the message box, without popping up a phone's keyboard uninvited. */
  function focusComposer() {
    if (window.matchMedia && window.matchMedia('(pointer: coarse)').matches) els.chat.focus();
    else els.input.focus();
  }

  function autoGrow() {
    els.input.style.height = 'auto';
    els.input.style.height = Math.min(els.input.scrollHeight, 140) + 'px';
  }

  function submitComposer() {
    var text = els.input.value.trim();
    if (!text) return;
    els.input.value = '';
    autoGrow();
    send(text);
    els.input.focus();
  }

  function restoreHistory() {
    var saved = storageGet('sessionStorage', HISTORY_KEY);
    if (!saved) return false;
    try {
      var parsed = JSON.parse(saved);
      var entries = Array.isArray(parsed.history) ? parsed.history : [];
      entries.forEach(function (entry) {
        addMessage(entry.who, String(entry.text), { remember: false });
      });
      state.history = entries;
      showQuickReplies(parsed.quickReplies);
      return entries.length > 0;
    } catch (e) {
      return false;
    }
  }

  function init() {
    els = {
      chat: $('chat'),
      messages: $('messages'),
      quick: $('quick-replies'),
      form: $('composer'),
      input: $('input'),
      send: $('send'),
      status: $('status'),
    };
    botName = $('bot-name').textContent;
    state.sessionId = sessionId();
    applyLocale(storageGet('localStorage', LOCALE_KEY) || 'vi');

    els.form.addEventListener('submit', function (event) {
      event.preventDefault();
      submitComposer();
    });
    els.input.addEventListener('keydown', function (event) {
      // Vietnamese is typed through an IME (Telex, VNI): Enter that ends a composition is not "send".
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitComposer();
      }
    });
    els.input.addEventListener('input', autoGrow);
    document.querySelectorAll('.lang-switch button').forEach(function (button) {
      button.addEventListener('click', function () {
        var locale = button.getAttribute('data-locale');
        if (locale === state.locale) return;
        applyLocale(locale);
        send('/' + locale, null);
      });
    });

    if (!restoreHistory()) send('/start', null);
    setInterval(pollUpdates, POLL_MS);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) pollUpdates();
    });
    focusComposer();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
