/**
 * The 13 studio API endpoints trialgram uses, in one table shared by the client (requests, retry
 * policy, metrics labels) and the sandbox studio (routing, fault injection).
 */
export const endpoints = {
  classes: {
    method: 'GET',
    path: '/v1/trial-offers/bookable-trial-offers/classes',
    operationId: 'getBookableTrialOfferClasses',
    idempotent: true,
  },
  appointments: {
    method: 'GET',
    path: '/v1/trial-offers/bookable-trial-offers/appointments/bookable',
    operationId: 'getBookableTrialOfferAppointments',
    idempotent: true,
  },
  config: {
    method: 'GET',
    path: '/v1/trial-offers/config/{configId}',
    operationId: 'getTrialOfferConfig',
    idempotent: true,
  },
  leadValidate: {
    method: 'POST',
    path: '/v1/trial-offers/lead/validate',
    operationId: 'validateForLeadCustomerCreation',
    idempotent: true,
  },
  leadCreate: {
    method: 'POST',
    path: '/v1/trial-offers/lead/create',
    operationId: 'createLeadCustomer',
    idempotent: false,
  },
  classSlots: {
    method: 'GET',
    path: '/v1/trial-offers/bookable-trial-offers/classes/{classId}/slots',
    operationId: 'getClassSlotsForTrialOffers',
    idempotent: true,
  },
  appointmentSlots: {
    method: 'GET',
    path: '/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookableAppointmentId}/slots',
    operationId: 'getBookableAppointmentSlotsForTrialOffers',
    idempotent: true,
  },
  classBookingValidate: {
    method: 'POST',
    path: '/v1/trial-offers/classes/booking/validate',
    operationId: 'validateClassSlotForTrialOffers',
    idempotent: true,
  },
  appointmentBookingValidate: {
    method: 'POST',
    path: '/v1/trial-offers/appointments/booking/validate',
    operationId: 'validateForAppointmentBookingForTrialOffers',
    idempotent: true,
  },
  classBook: {
    method: 'POST',
    path: '/v1/trial-offers/classes/booking/book',
    operationId: 'bookClassSlotForTrialOffers',
    idempotent: false,
  },
  appointmentBook: {
    method: 'POST',
    path: '/v1/trial-offers/appointments/booking/book',
    operationId: 'bookAppointmentForTrialOffer',
    idempotent: false,
  },
  confirm: {
    method: 'POST',
    path: '/v1/trial-offers/bookings/{bookingId}/confirm',
    operationId: 'confirmTrialOfferBooking',
    idempotent: false,
  },
  studio: {
    method: 'GET',
    path: '/v1/studios/information',
    operationId: 'getStudioInformation',
    idempotent: true,
  },
} as const satisfies Record<
  string,
  { method: 'GET' | 'POST'; path: string; operationId: string; idempotent: boolean }
>;

export type EndpointName = keyof typeof endpoints;
export const endpointNames = Object.keys(endpoints) as EndpointName[];

/**
 * Whether a call may be repeated blindly. Reads and validations change nothing at the studio;
 * `leadCreate`, the two `book` calls and `confirm` do, so a retry could create a second lead or
 * book twice. Every row of the table must say which it is.
 */
export function isIdempotent(name: EndpointName): boolean {
  return endpoints[name].idempotent;
}

/** Fills `{param}` placeholders of an endpoint path, URL-encoding each value. */
export function endpointPath(name: EndpointName, params: Record<string, string | number> = {}): string {
  return endpoints[name].path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`missing path parameter ${key} for ${name}`);
    return encodeURIComponent(String(value));
  });
}
