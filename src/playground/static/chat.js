/**
 * The chat as the Telegram user sees it: bubbles, inline keyboards, the reply keyboard, toasts,
 * alerts and "typing…". It only draws what the fake Telegram reports (a chat snapshot, then
 * live events); everything the user does goes out through `actions`.
 */
import { renderFormattedText } from './format-text.js';

/** Message times in the studio's zone (like its clock in the panel), once the panel knows it. */
let timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const toastMs = 4_000;
const chatActionMs = 5_000;
/** A tapped button shows it is waiting until the bot reacts, like Telegram's spinner. */
const tapPendingMs = 5_000;

const chatActionLabels = {
  typing: 'typing…',
  upload_document: 'sending a file…',
  upload_photo: 'sending a photo…',
  choose_sticker: 'choosing a sticker…',
};

/** Where the browser downloads a file the bot sent; the server forwards it from the fake. */
export function fileUrl(fileId) {
  return `/api/fake/files/${encodeURIComponent(fileId)}`;
}

function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

const iconPaths = {
  document: 'M6 2h8l6 6v13a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm7 1.5V9h5.5z',
  contact: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z',
  venue:
    'M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
};

/** A round icon drawn with SVG: emoji fonts are missing on many Linux machines. */
function icon(kind) {
  const svgNamespace = 'http://www.w3.org/2000/svg';
  const wrapper = element('span', `${kind}-icon`);
  wrapper.setAttribute('aria-hidden', 'true');
  const svg = document.createElementNS(svgNamespace, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  const path = document.createElementNS(svgNamespace, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', iconPaths[kind]);
  svg.append(path);
  wrapper.append(svg);
  return wrapper;
}

function element(tag, className, text) {
  const created = document.createElement(tag);
  if (className !== undefined) created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

/**
 * elements: { body, messages, emptyHint, replyKeyboard, replyKeyboardRows, toasts, status, input, alertDialog,
 *   alertText }
 * actions: { tap(messageId, callbackData), sendText(text), shareContact(), botChanged() }
 */
export function createChat(elements, actions) {
  /** messageId → the message's latest JSON, in the order Telegram numbered them. */
  const messages = new Map();
  let statusTimer;
  let pendingTap;

  const setStatus = (text, busy) => {
    elements.status.textContent = text;
    elements.status.classList.toggle('busy', busy);
  };

  const clearChatAction = () => {
    clearTimeout(statusTimer);
    setStatus('bot', false);
  };

  const clearPendingTap = () => {
    if (pendingTap === undefined) return;
    clearTimeout(pendingTap.timer);
    pendingTap.button.classList.remove('pending');
    pendingTap.button.removeAttribute('aria-busy');
    pendingTap = undefined;
  };

  const runAction = async (action) => {
    try {
      await action();
    } catch (error) {
      showToast(error instanceof Error ? error.message : String(error), 'error');
    }
  };

  function showToast(text, kind = 'info') {
    const toast = element('div', `toast ${kind}`, text);
    elements.toasts.append(toast);
    setTimeout(() => toast.remove(), toastMs);
  }

  function showAlert(text) {
    elements.alertText.textContent = text;
    if (!elements.alertDialog.open) elements.alertDialog.showModal();
  }

  function inlineKeyboard(message) {
    const keyboard = element('div', 'inline-keyboard');
    keyboard.setAttribute('role', 'group');
    keyboard.setAttribute('aria-label', 'Buttons under the message');
    for (const row of message.buttons) {
      const rowElement = element('div', 'keyboard-row');
      for (const button of row) {
        if (button.url !== undefined) {
          const anchor = element('a', 'inline-button url-button', button.text);
          anchor.href = button.url;
          anchor.target = '_blank';
          anchor.rel = 'noopener noreferrer';
          rowElement.append(anchor);
          continue;
        }
        const buttonElement = element('button', 'inline-button', button.text);
        buttonElement.type = 'button';
        if (button.callbackData === undefined) {
          buttonElement.disabled = true;
          buttonElement.title = 'The playground cannot open this kind of button';
        } else {
          buttonElement.addEventListener('click', () => {
            clearPendingTap();
            buttonElement.classList.add('pending');
            buttonElement.setAttribute('aria-busy', 'true');
            pendingTap = { button: buttonElement, timer: setTimeout(clearPendingTap, tapPendingMs) };
            void runAction(() => actions.tap(message.messageId, button.callbackData)).then(() => {
              if (pendingTap?.button === buttonElement && !buttonElement.isConnected) clearPendingTap();
            });
          });
        }
        rowElement.append(buttonElement);
      }
      keyboard.append(rowElement);
    }
    return keyboard;
  }

  function media(message, bubble) {
    if (message.photo !== undefined) {
      const image = element('img', 'photo');
      image.src = fileUrl(message.photo.fileId);
      image.alt = message.text === undefined ? 'Photo' : `Photo: ${message.text}`;
      image.width = message.photo.width;
      image.height = message.photo.height;
      bubble.append(image);
    }
    if (message.sticker !== undefined) {
      const sticker = element('img', 'sticker');
      sticker.src = fileUrl(message.sticker.fileId);
      sticker.alt = `Sticker ${message.sticker.emoji ?? ''}`.trim();
      bubble.append(sticker);
    }
    if (message.document !== undefined) {
      const { document: file } = message;
      const box = element('div', 'document');
      box.append(icon('document'));
      const details = element('div', 'document-details');
      const name = file.fileName ?? 'file';
      const download = element('a', 'document-name', name);
      download.href = fileUrl(file.fileId);
      download.download = name;
      details.append(download, element('span', 'document-size', formatBytes(file.size)));
      box.append(details);
      bubble.append(box);
    }
    if (message.venue !== undefined) {
      // A venue (sendVenue): its name and address, and the map at its coordinates.
      const { venue } = message;
      const box = element('div', 'venue');
      box.append(icon('venue'));
      const details = element('div', 'venue-details');
      const map = element('a', 'venue-map', 'Open in map');
      map.href = `https://www.openstreetmap.org/?mlat=${venue.latitude}&mlon=${venue.longitude}#map=17/${venue.latitude}/${venue.longitude}`;
      map.target = '_blank';
      map.rel = 'noopener noreferrer';
      details.append(
        element('strong', undefined, venue.title),
        element('span', 'venue-address', venue.address),
        map,
      );
      box.append(details);
      bubble.append(box);
    }
    if (message.contact !== undefined) {
      const { contact } = message;
      const box = element('div', 'contact');
      box.append(icon('contact'));
      const details = element('div', 'contact-details');
      details.append(
        element('strong', undefined, [contact.firstName, contact.lastName].filter(Boolean).join(' ')),
        element('span', 'contact-phone', contact.phoneNumber),
      );
      box.append(details);
      bubble.append(box);
    }
  }

  function renderMessage(message) {
    const item = element('li', `message from-${message.from}`);
    item.dataset.messageId = String(message.messageId);
    const bubble = element('div', 'bubble');
    bubble.append(element('span', 'visually-hidden', message.from === 'bot' ? 'Bot: ' : 'You: '));
    media(message, bubble);
    if (message.text !== undefined) {
      const text = element('div', 'text');
      text.append(
        renderFormattedText(message.text, message.entities, {
          onCommand: (command) => void runAction(() => actions.sendText(command)),
        }),
      );
      bubble.append(text);
    }
    const meta = element('span', 'meta');
    if (message.edited) meta.append(element('span', 'edited', 'edited'));
    const time = element('time', undefined, timeFormat.format(new Date(message.date * 1000)));
    time.title = timeFormat.resolvedOptions().timeZone;
    time.dateTime = new Date(message.date * 1000).toISOString();
    meta.append(time);
    if (message.from === 'user') meta.append(element('span', 'ticks', '✓✓'));
    bubble.append(meta);
    item.append(bubble);
    if (message.buttons.length > 0) item.append(inlineKeyboard(message));
    return item;
  }

  function updateEmptyHint() {
    elements.emptyHint.hidden = messages.size > 0;
  }

  function scrollToEnd() {
    elements.body.scrollTop = elements.body.scrollHeight;
  }

  function upsertMessage(message, { scroll }) {
    const existing = elements.messages.querySelector(`[data-message-id="${message.messageId}"]`);
    messages.set(message.messageId, message);
    const rendered = renderMessage(message);
    if (existing !== null) {
      existing.replaceWith(rendered);
    } else {
      const later = [...elements.messages.children].find(
        (item) => Number(item.dataset.messageId) > message.messageId,
      );
      elements.messages.insertBefore(rendered, later ?? null);
      if (scroll) scrollToEnd();
    }
    updateEmptyHint();
  }

  function renderReplyKeyboard(keyboard) {
    const container = elements.replyKeyboard;
    const rows = elements.replyKeyboardRows;
    rows.replaceChildren();
    elements.input.placeholder = keyboard?.placeholder ?? 'Message';
    if (keyboard === undefined || keyboard === null) {
      container.hidden = true;
      return;
    }
    for (const row of keyboard.rows) {
      const rowElement = element('div', 'keyboard-row');
      for (const key of row) {
        const button = element('button', 'reply-button', key.text);
        button.type = 'button';
        if (key.requestContact) {
          button.classList.add('request-contact');
          button.addEventListener('click', () => void runAction(() => actions.shareContact()));
        } else if (key.requestLocation) {
          button.disabled = true;
          button.title = 'The playground cannot share a location';
        } else {
          button.addEventListener('click', () => void runAction(() => actions.sendText(key.text)));
        }
        rowElement.append(button);
      }
      rows.append(rowElement);
    }
    container.hidden = false;
    // The keyboard takes room from the chat: keep the question above it in view.
    scrollToEnd();
  }

  function showChatAction(action) {
    clearTimeout(statusTimer);
    setStatus(chatActionLabels[action] ?? `${action.replaceAll('_', ' ')}…`, true);
    statusTimer = setTimeout(clearChatAction, chatActionMs);
  }

  return {
    showToast,
    runAction,

    /** Empties the view, e.g. when the page switches to another Telegram user. */
    reset() {
      messages.clear();
      elements.messages.replaceChildren();
      renderReplyKeyboard(undefined);
      clearChatAction();
      clearPendingTap();
      updateEmptyHint();
    },

    /** Draws a chat snapshot (`GET /api/fake/chats/:id`), or an empty chat for `null`. */
    load(chat) {
      this.reset();
      for (const message of chat?.messages ?? []) upsertMessage(message, { scroll: false });
      renderReplyKeyboard(chat?.replyKeyboard ?? undefined);
      if (chat?.forceReply?.placeholder !== undefined)
        elements.input.placeholder = chat.forceReply.placeholder;
      scrollToEnd();
    },

    /** Applies one live event from the fake's event stream. */
    apply(type, data) {
      switch (type) {
        case 'message':
        case 'message_edited':
          clearPendingTap();
          if (data.message.from === 'bot') {
            clearChatAction();
            actions.botChanged();
          }
          upsertMessage(data.message, { scroll: type === 'message' });
          break;
        case 'toast':
          clearPendingTap();
          if (typeof data.toast.text === 'string' && data.toast.text !== '') {
            if (data.toast.showAlert) showAlert(data.toast.text);
            else showToast(data.toast.text);
          }
          break;
        case 'reply_keyboard':
          renderReplyKeyboard(data.replyKeyboard);
          break;
        case 'chat_action':
          showChatAction(data.action);
          break;
        default:
          break;
      }
    },

    /** Shows message times in `zone` (the studio's), redrawing the messages already shown. */
    setTimeZone(zone) {
      if (timeFormat.resolvedOptions().timeZone === zone) return;
      timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone });
      for (const message of messages.values()) upsertMessage(message, { scroll: false });
    },

    /** "connecting…" in the header while the event stream is down. */
    setConnected(connected) {
      if (connected) clearChatAction();
      else setStatus('connecting…', true);
    },
  };
}
