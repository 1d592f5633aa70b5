/**
 * The playground page: plays one Telegram user talking to the bot through the fake Telegram, and
 * shows the sandbox studio next to the chat. The user (id and language) survives a page reload.
 */
import { callApi } from './api.js';
import { createChat } from './chat.js';
import { createStudioPanel } from './studio-panel.js';

const userStorageKey = 'trialgram-playground-user';
const languages = ['en', 'de'];
const userName = { firstName: 'Alex', lastName: 'Sample' };
const eventTypes = ['message', 'message_edited', 'toast', 'reply_keyboard', 'chat_action'];
/** Telegram's rule for `?start=` payloads. */
const deepLinkPayload = /^[A-Za-z0-9_-]{1,64}$/;

const byId = (id) => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`The page lacks #${id}`);
  return found;
};

/**
 * Ids from a range the fake never hands out by itself (it counts up from 100000001), random so
 * that a reload of an old page does not walk into someone else's chat.
 */
function randomUserId() {
  return 300_000_000 + Math.floor(Math.random() * 600_000_000);
}

function loadUser() {
  try {
    const stored = JSON.parse(localStorage.getItem(userStorageKey) ?? 'null');
    if (Number.isSafeInteger(stored?.id) && stored.id > 0 && languages.includes(stored.languageCode)) {
      return { id: stored.id, languageCode: stored.languageCode };
    }
  } catch {
    // A damaged entry: start as a new user.
  }
  return saveUser({ id: randomUserId(), languageCode: 'en' });
}

function saveUser(user) {
  try {
    localStorage.setItem(userStorageKey, JSON.stringify(user));
  } catch {
    // Private windows may refuse storage; the user then lasts until the page reloads.
  }
  return user;
}

/** `abc`, `https://t.me/some_bot?start=abc` and `t.me/some_bot?start=abc` all mean payload `abc`. */
export function payloadFromDeepLink(input) {
  const trimmed = input.trim();
  const match = /[?&]start=([^&#]*)/.exec(trimmed);
  if (match !== null) {
    try {
      return decodeURIComponent(match[1]);
    } catch {
      return match[1];
    }
  }
  return trimmed;
}

async function main() {
  let config;
  try {
    config = await callApi('/api/config');
  } catch (error) {
    byId('empty-hint').textContent = `The playground server did not answer: ${error.message}`;
    return;
  }
  const botName = config.bot.firstName;
  byId('bot-name').textContent = botName;
  byId('bot-avatar').textContent = botName.slice(0, 1).toUpperCase();
  document.title = `${botName} · trialgram playground`;

  let user = loadUser();
  const chatPath = (action) => `/api/fake/chats/${user.id}${action === undefined ? '' : `/${action}`}`;
  /** Sent with text and /start: creates this Telegram user at the fake on first contact. */
  const userInit = () => ({ ...userName, languageCode: user.languageCode });
  const sendText = (text) => callApi(chatPath('text'), { method: 'POST', body: { text, user: userInit() } });

  const panel = createStudioPanel(
    {
      error: byId('studio-error'),
      studioName: byId('studio-name'),
      studioPicker: byId('studio-picker'),
      studioSelect: byId('studio-select'),
      clock: byId('studio-clock'),
      clockOffset: byId('studio-clock-offset'),
      advanceButtons: document.querySelectorAll('[data-advance-ms]'),
      clockReset: byId('clock-reset'),
      refresh: byId('studio-refresh'),
      faultForm: byId('fault-form'),
      faultEndpoint: byId('fault-endpoint'),
      faultStatus: byId('fault-status'),
      faultTimes: byId('fault-times'),
      faultsClear: byId('faults-clear'),
      faultList: byId('fault-list'),
      leads: byId('leads-body'),
      bookings: byId('bookings-body'),
      reminders: byId('reminders-body'),
      slots: byId('slots-body'),
      updated: byId('studio-updated'),
    },
    {
      titles: config.titles,
      studios: config.studios,
      endpoints: config.endpoints,
      notify: (text, kind) => chat.showToast(text, kind),
      onZone: (zone) => chat.setTimeZone(zone),
    },
  );

  const chat = createChat(
    {
      body: byId('chat-body'),
      messages: byId('messages'),
      emptyHint: byId('empty-hint'),
      replyKeyboard: byId('reply-keyboard'),
      replyKeyboardRows: byId('reply-keyboard-rows'),
      toasts: byId('toasts'),
      status: byId('chat-status'),
      input: byId('message-input'),
      alertDialog: byId('alert-dialog'),
      alertText: byId('alert-text'),
    },
    {
      tap: (messageId, callbackData) =>
        callApi(chatPath('tap'), { method: 'POST', body: { callbackData, messageId, user: userInit() } }),
      sendText,
      shareContact: () => callApi(chatPath('contact'), { method: 'POST', body: { user: userInit() } }),
      botChanged: () => panel.scheduleRefresh(),
    },
  );

  const alertDialog = byId('alert-dialog');
  byId('alert-ok').addEventListener('click', () => alertDialog.close());

  let events;
  /** Bumped on every (re)connect so a slow snapshot of an old connection is ignored. */
  let connection = 0;

  function showUser() {
    const line = `${userName.firstName} ${userName.lastName} · id ${user.id} · language ${user.languageCode}`;
    byId('user-line').textContent = line;
    byId('chat-user').textContent = `You: ${userName.firstName} (${user.languageCode})`;
    byId('language-select').value = user.languageCode;
  }

  /**
   * Listens first, then reads the chat: events that arrive while the snapshot loads are kept and
   * applied after it, so nothing the bot does in between is lost.
   */
  function connect() {
    events?.close();
    connection += 1;
    const current = connection;
    let buffered = [];
    let loaded = false;
    chat.reset();
    events = new EventSource(`/api/fake/events?chatId=${user.id}`);
    for (const type of eventTypes) {
      events.addEventListener(type, (event) => {
        if (current !== connection) return;
        const data = JSON.parse(event.data);
        if (loaded) chat.apply(type, data);
        else buffered.push([type, data]);
      });
    }
    events.addEventListener('open', async () => {
      loaded = false;
      buffered = [];
      let snapshot = null;
      try {
        snapshot = await callApi(chatPath());
      } catch (error) {
        // 404: this user has not written to the bot yet, which is an empty chat.
        if (error.status !== 404) chat.showToast(error.message, 'error');
      }
      if (current !== connection) return;
      chat.load(snapshot);
      for (const [type, data] of buffered) chat.apply(type, data);
      buffered = [];
      loaded = true;
      chat.setConnected(true);
      document.body.dataset.ready = 'true';
    });
    events.addEventListener('error', () => {
      if (current === connection) chat.setConnected(false);
    });
  }

  function startOver(languageCode) {
    user = saveUser({ id: randomUserId(), languageCode });
    delete document.body.dataset.ready;
    showUser();
    connect();
  }

  byId('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('message-input');
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    void chat.runAction(() => sendText(text));
  });

  byId('start-button').addEventListener('click', () => {
    void chat.runAction(() => callApi(chatPath('start'), { method: 'POST', body: { user: userInit() } }));
  });

  byId('deep-link-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const payload = payloadFromDeepLink(byId('deep-link-input').value);
    if (!deepLinkPayload.test(payload)) {
      chat.showToast('A deep-link payload is 1–64 characters of A–Z, a–z, 0–9, _ and -.', 'error');
      return;
    }
    void chat.runAction(() =>
      callApi(chatPath('start'), { method: 'POST', body: { payload, user: userInit() } }),
    );
  });

  byId('language-select').addEventListener('change', (event) => {
    const languageCode = event.target.value;
    if (!languages.includes(languageCode) || languageCode === user.languageCode) return;
    // Same Telegram user, app switched to another language: the next update carries it.
    user = saveUser({ id: user.id, languageCode });
    showUser();
  });
  byId('new-user-button').addEventListener('click', () => startOver(user.languageCode));

  showUser();
  connect();
  await panel.refresh();
}

void main();
