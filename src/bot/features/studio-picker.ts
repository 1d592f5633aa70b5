/**
 * A chain of several studios: a plain `/start` first asks which studio (buttons with city and
 * street, and a "Share my location" button that orders the studios by distance), remembers the
 * choice in the profile, and `/studio` asks again. The chosen studio's offer then opens as its
 * whole-offer deep link would (`s-<id>`), so the flow itself needs no step of its own. A chain of
 * one never gets here.
 */

import { Composer, Context, InlineKeyboard, Keyboard } from 'grammy';
import { encodeStudioStartPayload } from '../../booking/deep-link.ts';
import type { SupportedLocale } from '../../config.ts';
import type { StudioInformation } from '../../perfectgym/schemas.ts';
import { within } from '../../runtime/within.ts';
import type { StudioRegistry } from '../../studio/registry.ts';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';
import type { Translator } from '../i18n.ts';
import { studioInformationWaitMs } from '../studio-calls.ts';
import type { UserStore } from '../user-store.ts';
import { when } from './when.ts';

/** A studio button's callback data: `st:<studio id>`. */
const pickPrefix = 'st:';
/** A page button's callback data: `stp:<page>` (0-based). */
const pagePrefix = 'stp:';
/** How many studios a shared location lists. */
const nearestCount = 3;
/**
 * Studios per page of the picker: a screen's worth, and far below Telegram's 100 buttons per
 * keyboard, which a chain's whole list in one message would pass.
 */
export const studiosPerPage = 8;

interface PickerStudio {
  id: string;
  info: StudioInformation | undefined;
}

export interface StudioPickerDeps {
  chain: Pick<StudioRegistry, 'ids' | 'studio'>;
  conversation: Conversation;
  userStore: UserStore;
  translator: Translator;
}

export function createStudioPickerFeature(deps: StudioPickerDeps): Composer<BotContext> {
  const { chain, conversation, userStore, translator } = deps;
  // Private chats only (the outer check below); the handlers need nothing narrower than BotContext.
  const privateChats = new Composer<BotContext>();

  /**
   * The studios with their information (cached per studio); one that cannot answer, or not within
   * {@link studioInformationWaitMs}, shows its id; the loads go on and fill the cache for next time.
   */
  const studios = async (ids: readonly string[] = chain.ids): Promise<PickerStudio[]> => {
    const known = new Map<string, StudioInformation>();
    const loads = ids.map((id) =>
      chain
        .studio(id)
        .catalog.studio()
        .then((info) => void known.set(id, info))
        .catch(() => undefined),
    );
    await within(Promise.all(loads), studioInformationWaitMs, undefined);
    return ids.map((id) => ({ id, info: known.get(id) }));
  };

  /** One page of the picker: its studios, one a row, and ◀ / ▶ where there are more. */
  const pickerPage = async (page: number, locale: SupportedLocale): Promise<InlineKeyboard> => {
    const pages = Math.max(1, Math.ceil(chain.ids.length / studiosPerPage));
    const shown = Math.min(Math.max(0, page), pages - 1);
    const ids = chain.ids.slice(shown * studiosPerPage, (shown + 1) * studiosPerPage);
    const keyboard = oneAButtonRow(
      (await studios(ids)).map((studio) => ({ label: studioLabel(studio), studioId: studio.id })),
    );
    if (pages === 1) return keyboard;
    const nav = [
      ...(shown > 0
        ? [InlineKeyboard.text(translator.bot(locale, 'bot-studio-page-back'), pagePrefix + (shown - 1))]
        : []),
      ...(shown < pages - 1
        ? [InlineKeyboard.text(translator.bot(locale, 'bot-studio-page-more'), pagePrefix + (shown + 1))]
        : []),
    ];
    return keyboard.row(...nav);
  };

  const open = async (ctx: BotContext, studioId: string) => {
    const session = ctx.booking;
    if (session && session.profile.studio !== studioId) {
      session.profile = { ...session.profile, studio: studioId };
      await userStore.saveProfile(session.userId, session.profile);
    }
    await conversation.handle(ctx, {
      type: 'start',
      payload: encodeStudioStartPayload({ studio: studioId }),
    });
  };

  const ask = async (ctx: BotContext) => {
    const locale = ctx.booking?.locale ?? 'en';
    await ctx.reply(translator.bot(locale, 'bot-studio-pick'), { reply_markup: await pickerPage(0, locale) });
    await ctx.reply(translator.bot(locale, 'bot-studio-location-hint'), {
      reply_markup: new Keyboard()
        .requestLocation(translator.bot(locale, 'bot-studio-share-location'))
        .resized()
        .oneTime(),
    });
  };

  privateChats.use(
    when(Context.has.command('start'), async (ctx, next) => {
      if (ctx.match.trim() !== '') {
        await next();
        return;
      }
      const chosen = ctx.booking?.profile.studio;
      if (chosen !== undefined && chain.ids.includes(chosen)) await open(ctx, chosen);
      else await ask(ctx);
    }),
  );
  privateChats.use(when(Context.has.command('studio'), (ctx) => ask(ctx)));
  privateChats.use(
    when(Context.has.callbackQuery(new RegExp(`^${pickPrefix}(.+)$`)), async (ctx) => {
      const studioId = ctx.match[1] ?? '';
      if (!chain.ids.includes(studioId)) {
        await ctx.answerCallbackQuery();
        await ask(ctx);
        return;
      }
      await open(ctx, studioId);
    }),
  );
  privateChats.use(
    when(Context.has.callbackQuery(new RegExp(`^${pagePrefix}(\\d{1,4})$`)), async (ctx) => {
      const locale = ctx.booking?.locale ?? 'en';
      await ctx.answerCallbackQuery();
      // The page in place of the one shown: the list is one message however far the prospect pages.
      await ctx.editMessageReplyMarkup({ reply_markup: await pickerPage(Number(ctx.match[1]), locale) });
    }),
  );
  privateChats.use(
    when(Context.has.filterQuery('message:location'), async (ctx, next) => {
      // A location while the flow waits for a lead field is the flow's to answer ("please type it").
      const step = ctx.booking?.state.step.name;
      if (step === 'collectingLead' || step === 'confirmingAddress') {
        await next();
        return;
      }
      const locale = ctx.booking?.locale ?? 'en';
      const { latitude, longitude } = ctx.message.location;
      const nearest = (await studios())
        .flatMap((studio) => {
          const at = studio.info?.location;
          if (at?.latitude === undefined || at.longitude === undefined) return [];
          return [{ studio, km: distanceKm({ latitude, longitude }, at as Coordinates) }];
        })
        .sort((a, b) => a.km - b.km)
        .slice(0, nearestCount);
      if (nearest.length === 0) {
        await ask(ctx);
        return;
      }
      const keyboard = oneAButtonRow(
        nearest.map(({ studio, km }) => ({
          label: `${studioLabel(studio)} · ${formatKm(km, locale)}`,
          studioId: studio.id,
        })),
      );
      await ctx.reply(translator.bot(locale, 'bot-studio-nearest'), { reply_markup: keyboard });
    }),
  );
  return new Composer<BotContext>(when(Context.has.chatType('private'), privateChats));
}

function oneAButtonRow(buttons: { label: string; studioId: string }[]): InlineKeyboard {
  return InlineKeyboard.from(
    buttons.map(({ label, studioId }) => [InlineKeyboard.text(label, pickPrefix + studioId)]),
  );
}

/** "Hamburg · Schulterblatt 73"; the studio's name where it gives no address, its id while unknown. */
function studioLabel({ id, info }: PickerStudio): string {
  const street = [info?.street, info?.houseNumber].filter(Boolean).join(' ');
  const parts = [info?.city, street].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(' · ') : (info?.name ?? id);
}

export interface Coordinates {
  latitude: number;
  longitude: number;
}

const earthRadiusKm = 6371.0088;

/** Great-circle distance (haversine). */
export function distanceKm(from: Coordinates, to: Coordinates): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(to.latitude - from.latitude);
  const dLon = rad(to.longitude - from.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(from.latitude)) * Math.cos(rad(to.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** "1.2 km" (English), "1,2 km" (German); from 10 km on whole kilometres ("254 km"). */
export function formatKm(km: number, locale: string): string {
  const digits = km < 10 ? 1 : 0;
  const number = new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${number.format(km)} km`;
}
