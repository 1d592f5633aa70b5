/**
 * `/links` for studio staff in Telegram: every bookable offer with its deep link, and a button per
 * offer that sends the link's QR code as a photo. Only users in `ADMIN_IDS` get an answer; for
 * anybody else the command passes on, so the bot's catch-all answers it like any unknown command
 * and nobody learns that staff commands exist.
 *
 * In a chain of several studios, staff see the studios they administer (a studio's `adminIds`;
 * `ADMIN_IDS` administer all): `/links <studio> [campaign]` lists one studio's offers, with links
 * that name the studio; `/links` alone lists their studios, one whole-offer link each, unless they
 * administer only one.
 */
import { type Api, Composer, Context, InputFile } from 'grammy';
import type { BotCommand, InlineKeyboardButton } from 'grammy/types';
import { campaignPattern, decodeStartLink } from '../booking/deep-link.ts';
import { type LogFlavor, telegramLocale } from '../bot/context.ts';
import { describeErrorInOneLine } from '../bot/errors.ts';
import { when } from '../bot/features/when.ts';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { StudioCatalog } from '../studio/catalog.ts';
import {
  linkUrl,
  listOfferLinks,
  type OfferLink,
  type OfferSource,
  type StudioLink,
  studioLink,
} from './links.ts';
import { escapeHtml, type Translate } from './messages.ts';
import { qrPng } from './qr.ts';

/** Callback data of a QR button: this prefix and the deep-link payload (at most 45 bytes in all). */
export const qrCallbackPrefix = 'sq:';

/** The studios of a chain as `/links` needs them; the `StudioRegistry` fits. */
export interface LinksChain {
  readonly all: readonly { id: string; adminIds: readonly number[] }[];
  studio(studioId: string): { catalog: OfferSource & Pick<StudioCatalog, 'studio'> };
}

/** The feature logs through the update's logger (`ctx.log`, see src/bot/middlewares/update-logger.ts). */
export type LinksContext = Context & LogFlavor;

export interface LinksFeatureDeps<C extends LinksContext = LinksContext> {
  /** `ADMIN_IDS`: staff of every studio. */
  adminIds: readonly number[];
  /** The studio of a single-studio bot. */
  catalog: OfferSource;
  /** A chain of several studios: per studio, for the staff who administer it. */
  chain?: LinksChain | undefined;
  /** The bot's username, e.g. `() => bot.botInfo.username`; read when needed, after `bot.init()`. */
  botUsername: () => string;
  t: (locale: string) => Translate;
  /**
   * The locale to answer in (the adapter's choice for this user). Default: the Telegram client's
   * language when trialgram speaks it, else English.
   */
  localeOf?: (ctx: C) => string;
}

// Below Telegram's 4096 characters per message and 100 buttons, with room for long titles.
const maxLinksPerMessage = 25;
const maxMessageLength = 3500;

interface LinksMessage {
  html: string;
  buttons: InlineKeyboardButton[][];
}

/** The offer list as one or more messages, each with the QR buttons of its own offers. */
function linksMessages(
  links: OfferLink[],
  t: Translate,
  campaign: string | undefined,
  studioName?: string,
): LinksMessage[] {
  const header = [
    ...(studioName === undefined
      ? []
      : [t('staff-links-studio', { studio: `<b>${escapeHtml(studioName)}</b>` })]),
    `<b>${t('staff-links-title', { count: links.length })}</b>`,
  ];
  if (campaign) header.push(t('staff-links-campaign', { campaign: `<code>${escapeHtml(campaign)}</code>` }));
  header.push(t('staff-links-hint'));

  const messages: LinksMessage[] = [];
  let blocks: string[] = [header.join('\n')];
  let buttons: InlineKeyboardButton[][] = [];
  for (const link of links) {
    const title = `<b>${escapeHtml(link.title)}</b>`;
    // The link stays outside the translation (see messages.ts) and outside any markup, so it copies cleanly.
    const block = `${t(`staff-links-line-${link.kind}`, { title })}\n${link.url}`;
    const length = blocks.join('\n\n').length + block.length + 2;
    if (buttons.length > 0 && (buttons.length >= maxLinksPerMessage || length > maxMessageLength)) {
      messages.push({ html: blocks.join('\n\n'), buttons });
      blocks = [];
      buttons = [];
    }
    blocks.push(block);
    buttons.push([
      {
        text: t(`staff-links-button-${link.kind}`, { title: link.title }),
        callback_data: `${qrCallbackPrefix}${link.payload}`,
      },
    ]);
  }
  messages.push({ html: blocks.join('\n\n'), buttons });
  return messages;
}

/** One whole-offer link per studio, each with its QR button; a long chain in several messages. */
function studiosMessages(links: StudioLink[], t: Translate, campaign: string | undefined): LinksMessage[] {
  const header = [`<b>${t('staff-links-studios-title', { count: links.length })}</b>`];
  if (campaign) header.push(t('staff-links-campaign', { campaign: `<code>${escapeHtml(campaign)}</code>` }));
  header.push(t('staff-links-studios-hint'));
  const messages: LinksMessage[] = [];
  for (let start = 0; start < links.length; start += maxLinksPerMessage) {
    const part = links.slice(start, start + maxLinksPerMessage);
    const blocks = part.map(
      (link) =>
        `${t('staff-links-studio-line', { studio: `<code>${escapeHtml(link.studio)}</code>` })}\n${link.url}`,
    );
    messages.push({
      html: (start === 0 ? [header.join('\n'), ...blocks] : blocks).join('\n\n'),
      buttons: part.map((link) => [
        {
          text: t('staff-links-studio-button', { studio: link.studio }),
          callback_data: `${qrCallbackPrefix}${link.payload}`,
        },
      ]),
    });
  }
  return messages;
}

/** The text of the button that was tapped, to title the QR code with the offer it belongs to. */
function tappedButtonText(ctx: Context): string | undefined {
  const data = ctx.callbackQuery?.data;
  const rows = ctx.callbackQuery?.message?.reply_markup?.inline_keyboard ?? [];
  for (const row of rows) {
    for (const button of row) {
      if ('callback_data' in button && button.callback_data === data) return button.text;
    }
  }
  return undefined;
}

/** `/links [campaign]` for admins, and the QR code buttons under its answer. */
export function createLinksFeature<C extends LinksContext = LinksContext>(
  deps: LinksFeatureDeps<C>,
): Composer<C> {
  const admins = new Set(deps.adminIds);
  const isAdmin = (ctx: C) => ctx.from !== undefined && admins.has(ctx.from.id);
  const translate = (ctx: C) =>
    deps.t(deps.localeOf ? deps.localeOf(ctx) : (telegramLocale(ctx.from?.language_code) ?? 'en'));
  const composer = new Composer<C>();

  /** The studios of a chain this user administers; `undefined` for a bot of one studio. */
  const studiosOf = (ctx: C): string[] | undefined => {
    const { chain } = deps;
    if (!chain || chain.all.length <= 1) return undefined;
    const userId = ctx.from?.id;
    if (userId === undefined) return [];
    return chain.all
      .filter((studio) => admins.has(userId) || studio.adminIds.includes(userId))
      .map((s) => s.id);
  };
  const mayUse = (ctx: C) => {
    const studios = studiosOf(ctx);
    return studios === undefined ? isAdmin(ctx) : studios.length > 0;
  };

  async function replyAll(ctx: C, messages: LinksMessage[]) {
    for (const message of messages) {
      await ctx.reply(message.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: { inline_keyboard: message.buttons },
      });
    }
  }

  composer.use(
    when(Context.has.command('links'), async (ctx, next) => {
      if (!mayUse(ctx)) return next();
      const t = translate(ctx);
      const words = ctx.match.trim().split(/\s+/).filter(Boolean);
      const studios = studiosOf(ctx);
      let studio: string | undefined;
      if (studios !== undefined && words[0] !== undefined && deps.chain?.all.some((s) => s.id === words[0])) {
        studio = words.shift();
        if (studio === undefined || !studios.includes(studio)) {
          await ctx.reply(t('staff-links-studio-unknown', { studios: studios.join(', ') }));
          return;
        }
      } else if (studios?.length === 1) {
        studio = studios[0];
      }
      const campaign = words.length === 0 ? undefined : words.join(' ');
      if (campaign !== undefined && !campaignPattern.test(campaign)) {
        await ctx.reply(t('staff-links-campaign-invalid'));
        return;
      }
      if (studios !== undefined && studio === undefined) {
        let links: StudioLink[];
        try {
          links = studios.map((id) => studioLink({ studio: id, botUsername: deps.botUsername(), campaign }));
        } catch {
          // Only a campaign that reads as an offer (`c101`) gets here: it is no usable tag in a studio link.
          await ctx.reply(t('staff-links-campaign-invalid'));
          return;
        }
        await replyAll(ctx, studiosMessages(links, t, campaign));
        return;
      }
      const catalog = studio !== undefined && deps.chain ? deps.chain.studio(studio).catalog : deps.catalog;
      let links: OfferLink[];
      let studioName: string | undefined;
      try {
        links = await listOfferLinks({ catalog, botUsername: deps.botUsername(), campaign, studio });
        if (studio !== undefined) {
          studioName = await deps.chain
            ?.studio(studio)
            .catalog.studio()
            .then((information) => information.name)
            .catch(() => studio);
        }
      } catch (error) {
        ctx.log.warn(
          { studio, error: describeErrorInOneLine(error) },
          'staff /links: could not load the offers',
        );
        await ctx.reply(t('staff-links-failed'));
        return;
      }
      if (links.length === 0) {
        await ctx.reply(t('staff-links-none'));
        return;
      }
      await replyAll(ctx, linksMessages(links, t, campaign, studioName));
    }),
  );

  composer.use(
    when(Context.has.callbackQuery(/^sq:(.*)$/), async (ctx) => {
      const t = translate(ctx);
      if (!mayUse(ctx)) {
        await ctx.answerCallbackQuery({ text: t('staff-qr-refused') });
        return;
      }
      const payload = ctx.match[1] ?? '';
      const decoded = decodeStartLink(payload);
      if (!decoded) {
        await ctx.answerCallbackQuery({ text: t('staff-qr-outdated') });
        return;
      }
      // In a chain, only the QR codes of one's own studios (a link naming none means the first).
      const studios = studiosOf(ctx);
      const studio = decoded.studio ?? deps.chain?.all[0]?.id;
      if (studios !== undefined && (studio === undefined || !studios.includes(studio))) {
        await ctx.answerCallbackQuery({ text: t('staff-qr-refused') });
        return;
      }
      await ctx.answerCallbackQuery();
      const url = linkUrl(deps.botUsername(), payload);
      const title = tappedButtonText(ctx);
      try {
        const png = await qrPng(url);
        await ctx.replyWithPhoto(new InputFile(png, `qr-${payload}.png`), {
          caption: title ? `<b>${escapeHtml(title)}</b>\n${url}` : url,
          parse_mode: 'HTML',
        });
      } catch (error) {
        ctx.log.error({ payload, error: describeErrorInOneLine(error) }, 'staff QR code could not be sent');
        await ctx.reply(t('staff-qr-failed'));
      }
    }),
  );

  return composer;
}

export interface StaffCommandLists {
  /**
   * The public command list per locale, as the adapter sets it for everybody. A chat-scoped list
   * replaces all others for that chat, so admins get these too, followed by /links.
   */
  publicCommands: Partial<Record<SupportedLocale, BotCommand[]>>;
  /** Whose list also goes to admins whose Telegram language has no list of its own. */
  defaultLocale: SupportedLocale;
  t: (locale: SupportedLocale) => Translate;
}

/**
 * Shows /links in the command menu of each admin's private chat only (scope `chat`), in each
 * locale. An admin who has not opened the bot yet has no chat to scope to: Telegram refuses, the
 * other admins still get their menu, and the failures are returned (set them again later).
 */
export async function setStaffCommands(
  api: Pick<Api, 'setMyCommands'>,
  adminIds: readonly number[],
  lists: StaffCommandLists,
): Promise<{ failed: Array<{ adminId: number; reason: string }> }> {
  const withLinks = (locale: SupportedLocale): BotCommand[] => [
    ...(lists.publicCommands[locale] ?? []),
    { command: 'links', description: lists.t(locale)('staff-command-links') },
  ];
  const failed: Array<{ adminId: number; reason: string }> = [];
  for (const adminId of adminIds) {
    const scope = { type: 'chat', chat_id: adminId } as const;
    try {
      for (const locale of supportedLocales.filter((locale) => lists.publicCommands[locale])) {
        await api.setMyCommands(withLinks(locale), { scope, language_code: locale });
      }
      await api.setMyCommands(withLinks(lists.defaultLocale), { scope });
    } catch (error) {
      failed.push({ adminId, reason: describeErrorInOneLine(error) });
    }
  }
  return { failed };
}
