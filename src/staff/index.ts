/**
 * Staff tools: deep links and QR codes for one offer (`npm run link`, `/links` for admins) and
 * booking notices for the staff chat. The adapter in src/bot/ registers `createLinksFeature`
 * before its catch-all, calls `setStaffCommands` at start-up and feeds `notifyStaff` effects to
 * `createStaffNotifier(...).notify`.
 */

export {
  linkUrl,
  listOfferLinks,
  normalizeBotUsername,
  type OfferLink,
  type OfferLinkKind,
  type OfferSource,
  offerLink,
  UnknownOfferError,
} from './links.ts';
export {
  createLinksFeature,
  type LinksFeatureDeps,
  qrCallbackPrefix,
  type StaffCommandLists,
  setStaffCommands,
} from './links-feature.ts';
export {
  escapeHtml,
  type StaffMessageKey,
  staffMessageArguments,
  staffMessageKeys,
  type Translate,
} from './messages.ts';
export {
  createStaffNotifier,
  formatStaffNotice,
  type StaffMessageOptions,
  type StaffNotifier,
  type StaffNotifierOptions,
} from './notices.ts';
export { type QrFileFormat, qrFileFormat, qrPng, writeQrFile } from './qr.ts';
