/**
 * The booking conversation as plain TypeScript (no grammY): the public surface for the adapter in
 * src/bot/ and for the staff link tool.
 */
export {
  type CallbackAction,
  type CallbackData,
  encodeCallbackData,
  maxCallbackDataBytes,
  parseCallbackData,
} from './callback-data.ts';
export type { FlowContext } from './context.ts';
export {
  campaignPattern,
  decodeStartPayload,
  encodeStartPayload,
  type StartPayload,
  type StartTargetKind,
} from './deep-link.ts';
export {
  type ApiCall,
  type ApiCallName,
  type ApiCallResults,
  type Effect,
  type InlineButton,
  type Keyboard,
  resultEvent,
  type StaffNotice,
  type Venue,
  type View,
} from './effects.ts';
export type {
  ApiEvent,
  BookingEvent,
  NonTextKind,
  ReminderEvent,
  TimerEvent,
  UserEvent,
} from './events.ts';
export { bookingRefusals, type RefusalNextStep, refusalFor } from './flow-booking.ts';
export { bookingOfRef, bookingRefOf, type SlotReminderPayload } from './flow-reminders.ts';
export type { EditableField, LeadFieldName } from './lead-fields.ts';
export { type MessageArgs, type MessageKey, messageArguments, messageKeys, type Text } from './messages.ts';
export type { OfferRef, OfferType } from './offer-kind.ts';
export { type FunnelStage, funnelStages, stepFunnelStages } from './pipeline.ts';
export {
  type BookingRecord,
  initialState,
  maxBookingRecords,
  parseStoredState,
  type State,
  type StateMigration,
  type Step,
  type StepName,
  stateMigrations,
  stateVersion,
} from './state.ts';
export { type TransitionResult, transition } from './transition.ts';
export { offersPerPage, slotWindowDays } from './views.ts';
