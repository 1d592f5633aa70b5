## Start and offers

start-greeting = Hi! I'm the booking assistant of { $studio }. I can book you a free trial session in a minute.
start-greeting-no-name = Hi! I'm the studio's booking assistant. I can book you a free trial session in a minute.
offers-choose = Which trial would you like to book?
offers-page = Page { $page } of { $pages }
offers-none = There are no trial sessions to book online right now.
offer-button-class = 🏋️ { $title }
offer-button-appointment = 📅 { $title }
deep-link-invalid = That link doesn't work, but here is everything you can book.
offer-gone = That trial session is no longer offered. Here is what you can book instead.
offer-no-online-booking = "{ $offer }" can't be booked online by new customers. Please get in touch with the studio directly.
button-previous = ◀️ Back
button-next = More ▶️
button-other-offers = Other trial sessions
button-start-over = Start over
start-over = Okay, let's start over.

## Studio contact

studio-contact-intro = You can reach the studio here:
studio-contact-email = ✉️ { $email }
studio-contact-telephone = 📞 { $telephone }
studio-contact-website = 🌐 { $website }
studio-contact-address = 📍 { $address }
studio-contact-missing = I can't look up the studio's contact details right now. Please try again later.

## Slots

slots-header = When would you like to come to { $offer }?
slots-pick-time = 📅 { $day }: pick a time.
slots-waiting-list-note = ⏳ Full: tap it to get on the waiting list.
slot-day-free = { $day } ✓
slot-day-waiting-list = { $day } ⏳
slot-day-none = { $day } ✕
slot-day-selected = • { $day } •
slots-day-none-toast = No free places on { $day }. Please pick another day.
slot-button = { $time }
slot-button-waiting-list = { $time } ⏳
button-earlier-times = ◀️ Earlier times
button-later-times = Later times ▶️
button-earlier = ◀️ Earlier
button-later = Later ▶️
slots-none = There are no free times for { $offer } at the moment. Maybe another trial session suits you?
slots-none-in-window = No free times from { $from } to { $to }. Try earlier or later dates, or another trial session.
slot-gone = Sorry, that time has just been taken or can no longer be booked. Here are the times that are still free:
slot-now-waiting-list = Sorry, this time has just filled up. You can still join its waiting list: tap it again below, or pick another time.

## Lead data

lead-intro = Good choice: { $offer } on { $date } at { $time }. I just need a few details to book you in.
lead-ask-first-name = What's your first name?
lead-ask-last-name = And your last name?
lead-ask-email = What's your e-mail address? The studio sends your booking confirmation there.
lead-ask-gender = What's your gender?
lead-ask-date-of-birth = What's your date of birth? For example 31.12.1990.
lead-ask-telephone = What's your phone number? Type it or share it with the button below.
lead-ask-street = What street do you live on?
lead-ask-address = What's your address? In one line, for example: Torstraße 119, 10119 Berlin
lead-address-understood = Is this right?
    Street: { $street }
    House number: { $number }
    Postcode: { $zip }
    Town: { $city }
lead-address-understood-no-number = Is this right?
    Street: { $street }
    House number: none
    Postcode: { $zip }
    Town: { $city }
lead-address-unreadable = I couldn't read street, house number, postcode and town from that, so let's go through them one by one.
button-address-ok = ✅ That's right
button-address-in-parts = ✏️ Enter it in parts
lead-ask-house-number = And the house number?
lead-ask-zip-code = What's your postcode?
lead-ask-city = And the town or city?
lead-optional = (Optional: tap "Skip" if you'd rather not say.)
button-skip = Skip
button-use-name = Use "{ $name }"
button-use-full-name = Use { $name }
button-share-contact = 📱 Share my phone number
gender-female = Female
gender-male = Male
gender-diverse = Diverse
lead-error-empty = That was empty. Please type your answer.
lead-error-too-long = That's too long: at most { $max } characters, please.
lead-error-no-letters = That doesn't look right. Please use letters.
lead-error-email = That doesn't look like an e-mail address. Please check it, for example name@example.com.
lead-error-phone = That doesn't look like a phone number. Please type it with the area code, for example { $example }, or with + and the country code.
lead-error-zip-code = A postcode has { $min } to { $max } letters, digits, spaces or dashes. Please check it.
lead-error-zip-code-digits = A postcode here has { $digits } digits. Please check it.
lead-error-date-format = I couldn't read that date. Please write it like 31.12.1990, 31/12/1990 or 1990-12-31.
lead-error-date-impossible = That date doesn't exist. Please check day and month.
lead-error-date-future = That date is in the future. Please type your date of birth.
lead-error-date-too-old = That would make you older than { $years }. Please check the year.
lead-error-date-too-young = Trial sessions here are for people aged { $years } and over. Please check the year.
lead-error-not-text = I can't read that here. Please type your answer.
lead-error-contact-foreign = That's someone else's contact. Please share your own number or type it.
lead-error-contact-invalid = I can't use the number of your Telegram account. Please type the number the studio can reach you at.
lead-error-use-buttons = Please tap one of the buttons.
lead-error-required = The studio needs this one, so it can't be skipped.
lead-telephone-saved = Thanks, got your number.
lead-telephone-skipped = Okay, no phone number.
lead-details-again = The studio no longer has your details on file, so I need them once more to book { $offer } on { $date } at { $time }.
lead-details-again-list = The studio no longer has your details on file, so I'll ask for them once more after you've picked a time.

## Summary

summary-header = Please check your booking: { $offer } on { $date } at { $time }.
summary-waiting-list = This time is full, so you'll be put on the waiting list.
summary-name = Name: { $first } { $last }
summary-email = E-mail: { $value }
summary-gender-female = Gender: female
summary-gender-male = Gender: male
summary-gender-diverse = Gender: diverse
summary-date-of-birth = Date of birth: { $value }
summary-telephone = Phone: { $value }
summary-address = Address: { $value }
summary-consent = By tapping "Book now" you agree that the studio stores these details to arrange your trial. Privacy policy: { $url }
summary-consent-no-link = By tapping "Book now" you agree that the studio stores these details to arrange your trial.
button-book = ✅ Book now
button-cancel = Cancel
edit-first-name = ✏️ First name
edit-last-name = ✏️ Last name
edit-email = ✏️ E-mail
edit-gender = ✏️ Gender
edit-date-of-birth = ✏️ Date of birth
edit-telephone = ✏️ Phone
edit-address = ✏️ Address
input-use-buttons = Please use the buttons above, or /start to begin again.

## Lead check

lead-invalid-data = The studio didn't accept these details. Please check them, especially the e-mail address and phone number, then tap "Book now" again.
lead-duplicate = It looks like you're already known to the studio, so I can't sign you up again here. If your e-mail address has a typo, fix it below. Otherwise please contact the studio to book your trial.
lead-unknown-status = The studio couldn't take your details just now. Please check them and try again, or contact the studio.
button-fix-email = ✏️ Fix my e-mail address

## Booking validation

booking-status-no-contingent = This trial offer can be booked { $contingent ->
        [one] once
       *[other] { $contingent } times
    } per person, so I can't book another one for you. The studio will be happy to tell you about other options.
booking-status-no-contingent-term = This trial offer can be booked { $contingent ->
        [one] once
       *[other] { $contingent } times
    } per person, and only once within { $unit ->
        [DAY] { $value ->
            [one] a day
           *[other] { $value } days
        }
        [WEEK] { $value ->
            [one] a week
           *[other] { $value } weeks
        }
        [MONTH] { $value ->
            [one] a month
           *[other] { $value } months
        }
        [YEAR] { $value ->
            [one] a year
           *[other] { $value } years
        }
       *[other] { $value } { $unit }
    }, so I can't book this time for you. The studio will be happy to tell you about other options.
booking-status-limit-reached = That time has just filled up. Here are the nearest free times:
booking-status-already-booked = You're already booked for this session, no need to book again.
booking-status-customer-idle = Your membership with the studio is paused at that time, so I can't book this for you. Please contact the studio.
booking-status-other-booking = You already have another booking at that time. Please pick a different time.
booking-status-display-only = This session can't be booked online. Please choose another trial session.
booking-status-too-early = This time can't be booked yet. Please pick a later time or come back closer to the date.
booking-status-too-late = Booking for this time has closed. Please pick another time.
booking-status-studio-closed = The studio is closed at that time. Please pick another time.
booking-status-not-available = This time can't be booked. Please pick another one.
booking-status-past-start = That time has already started. Please pick a later one.
booking-status-end-before-start = Something is wrong with this time slot at the studio. Please pick another one.
booking-status-period-mismatch = This time doesn't fit the appointment's length. Please pick another one.
booking-status-restrictions = This appointment has requirements I can't check online. Please contact the studio to book it.
booking-status-resource-unavailable = The room or equipment for this time isn't available. Please pick another time.
booking-status-unknown = The studio couldn't book this time. Please pick another one.

## Booking result

booking-success = You're booked! { $offer } on { $date } at { $time }.
booking-detail-studio = 📍 Where: { $place }
booking-detail-room = 🚪 Room: { $room } ({ $note })
booking-detail-location = 🚪 Room: { $location }
booking-detail-instructors = 👤 With: { $names }
booking-calendar-caption = Add { $offer } to your calendar.
booking-waiting-list = You're on the waiting list for { $offer } on { $date } at { $time }. The studio will let you know if a place becomes free.
booking-confirm-required = Almost done! { $offer } on { $date } at { $time } is reserved for you. Please confirm it by { $deadlineDate } at { $deadlineTime }, otherwise it lapses.
booking-confirm-required-no-deadline = Almost done! { $offer } on { $date } at { $time } is reserved for you. Please confirm it with the button below.
booking-canceled = The studio cancelled this booking straight away. Please pick another trial session or contact the studio.
booking-unknown-status = The studio answered in a way I don't understand, so I can't tell whether you're booked. Please check with the studio.
booking-existing = You already have this booking: { $date } at { $time }. No need to book again.
booking-existing-waiting-list = You're already on the waiting list for { $date } at { $time }.
booking-existing-confirm = You already have this booking: { $date } at { $time }. Please confirm it with the button in the message above.
booking-busy = One moment, I'm still booking.
button-confirm = ✅ Confirm booking
button-book-another = Book another trial session
button-book-again = Book again

## Confirmation

confirm-done = Confirmed! See you at { $offer } on { $date } at { $time }.
confirm-done-short = Confirmed! See you there.
confirm-expired = The time to confirm this booking has run out, so it has lapsed. Would you like to book again?
confirm-not-yours = This button doesn't belong to one of your bookings.
confirm-already-confirmed = Already confirmed ✅
confirm-in-progress = Confirming, one moment…
confirm-unknown-status = The studio answered in a way I don't understand. Please try again or contact the studio.

## Lost answers

booking-found = Good news: you're booked for { $offer } on { $date } at { $time }. The studio's answer got lost on the way, so I checked with the studio.
booking-found-waiting-list = You're on the waiting list for { $offer } on { $date } at { $time }. The studio's answer got lost on the way, so I checked with the studio.
booking-found-confirm-by-email = The studio needs you to confirm this booking: it sends you a confirmation link by e-mail.
booking-outcome-unclear = I couldn't find out whether { $offer } on { $date } at { $time } got booked for you. Please don't book it again: the studio will check and get in touch with you.
booking-check-failed = The studio's answer to your booking got lost, and the studio isn't answering my check right now. I won't book anything twice. Please tap "Try again" in a moment and I'll check again.
booking-not-made = Your booking didn't go through: the studio has no booking for you at that time. Tap "Try again" to book it.
lead-details-with-studio = The studio has your details and will get in touch with you to arrange your trial.
lead-check-failed = The studio's answer to your details got lost, and the studio isn't answering my check right now. I won't send anything twice. Please tap "Try again" in a moment and I'll check again.
lead-not-made = The studio didn't receive your details. Tap "Try again" to send them.
confirm-outcome-unknown = I couldn't tell whether your confirmation reached the studio. Please tap "Confirm booking" again: confirming twice is safe.

## Errors

error-studio-unavailable = The studio's booking system isn't answering right now. Everything you've entered is saved. Please tap "Try again" in a moment.
error-studio-failed = The studio couldn't process this. Everything you've entered is saved. You can try again or start over.
error-studio-unavailable-plain = The studio's booking system isn't answering right now. Please tap "Try again" in a moment.
error-studio-failed-plain = The studio couldn't process this. You can try again or start over.
studio-busy = The studio's booking system is busy right now. I'll try again by myself in about { $seconds ->
        [one] a second
       *[other] { $seconds } seconds
    } and tell you how it went.
studio-busy-minutes = The studio's booking system is busy right now. I'll try again by myself in about { $minutes ->
        [one] a minute
       *[other] { $minutes } minutes
    } and tell you how it went.
studio-busy-saved = Everything you've entered is saved.
studio-busy-toast = Still busy. I'll try again by myself, no need to tap.
button-try-again = 🔄 Try again
callback-outdated = This button is out of date.
callback-outdated-list = This button is out of date. Please use the newest list below.
retry-trying = Trying again…
working-wait = I'm still waiting for the studio's answer. If nothing happens, tap "Try again".

## Commands

help =
    I book free trial sessions at the studio for you.
    /start shows the trial sessions you can book.
    /cancel stops the current booking (bookings you've made stay).
    /language switches between English and German.
    /reminders switches reminders about your bookings off or on.
    /forget deletes everything I've stored about you.
cancel-done = Okay, I've stopped. Bookings you've already made stay valid. Type /start to begin again.
idle-hint = Type /start or tap below to see the trial sessions you can book.
button-show-offers = Show trial sessions
language-choose = Which language would you like?
language-set = Okay, I'll speak English from now on.
language-name-en = English
language-name-de = Deutsch
forget-done = Done: I've deleted everything I stored about you. Bookings at the studio aren't affected; to have your data removed there, please contact the studio.
forget-pending-booking = Your booking for { $date } at { $time } still needs to be confirmed. It stays at the studio, but I can no longer confirm it for you: please contact the studio to confirm or cancel it.

## After the booking

booking-waiting-list-contact = You won't get reminders for a waiting-list place: the studio will get in touch with you if a place becomes free.
reminder-confirm-nudge = Reminder: please confirm { $offer } on { $date } at { $time } by { $deadlineDate } at { $deadlineTime }, otherwise the booking lapses.
reminder-lapsed = The time to confirm { $offer } on { $date } at { $time } has run out, so the booking has lapsed. Would you like to book again?
reminder-slot = Reminder: { $offer } on { $date } at { $time }.
reminder-slot-room = Room: { $room }
reminder-slot-address = Address: { $address }
button-attend = I'll be there
button-cant-make-it = Can't make it
button-no-more-reminders = No more reminders
button-book-another-time = Book another time
reminder-attend-thanks = Great, see you there!
reminder-cant-make-done = Thanks for letting us know. I've told the studio that you can't make it; you won't get more reminders for this booking.
reminder-cant-make-already = The studio already knows that you can't make it.
reminders-off = Okay, no more reminders. Type /reminders to switch them on again for your next bookings.
reminders-on = Reminders are on again: your next bookings get them. Type /reminders to switch them off.

## Bot

bot-state-reset = Sorry, I lost track of our conversation, so let's start again.
bot-store-unavailable = Sorry, I'm having technical trouble and can't continue right now. Please try again in a few minutes.
bot-chat-busy = One moment, please: I'm still working on your previous message. I'll get to this one right after.
bot-unexpected-error = Sorry, something went wrong on my side. Please try again, or type /start to begin again.
bot-unknown-command = I don't know that command. /help shows what I can do.
bot-edited-message = I only read new messages, not edited ones. Please send your answer again as a new message.
bot-command-start = Book a free trial session
bot-command-help = What I can do
bot-command-language = Switch language
bot-command-cancel = Stop the current booking
bot-command-forget = Delete what I stored about you
bot-command-reminders = Switch booking reminders off or on
bot-command-studio = Choose another studio
bot-studio-pick = Which studio would you like to train at?
bot-studio-location-hint = Or share your location, and I'll show you the studios nearest to you.
bot-studio-share-location = 📍 Share my location
bot-studio-page-back = ◀ Back
bot-studio-page-more = More studios ▶
bot-studio-nearest = The studios nearest to you:

## Staff

staff-command-links = Offer links and QR codes (staff)
staff-links-title = Trial offers with their links: { $count }
staff-links-campaign = Campaign tag: { $campaign }
staff-links-hint = Tap an offer below to get its QR code.
staff-links-line-class = 🏋️ { $title } (class)
staff-links-line-appointment = 📅 { $title } (appointment)
staff-links-line-config = 📋 Everything in { $title }
staff-links-button-class = 🏋️ { $title }
staff-links-button-appointment = 📅 { $title }
staff-links-button-config = 📋 { $title } (all)
staff-links-none = The studio has no trial offers that new customers can book online right now.
staff-links-failed = The studio's booking system isn't answering, so the offers can't be listed. Please try again in a moment.
staff-links-campaign-invalid = A campaign tag has 1 to 24 characters: lowercase letters a-z, digits and hyphens. Example: /links poster
staff-links-studio = Studio: { $studio }
staff-links-studios-title = Your studios: { $count }
staff-links-studios-hint = Each link opens that studio's trial offers. Send /links followed by a studio's id for its offers one by one (e.g. /links hamburg poster); tap a studio below for its QR code.
staff-links-studio-line = 🏢 { $studio }
staff-links-studio-button = 🏢 { $studio }
staff-links-studio-unknown = You don't look after that studio. Your studios: { $studios }
staff-qr-refused = Only studio staff can do this.
staff-qr-outdated = This button is out of date. Please send /links again.
staff-qr-failed = The QR code could not be sent. Please try again.
staff-notice-lead-created = 🆕 New lead
staff-notice-booked = ✅ New trial booking
staff-notice-confirmed = 👍 Booking confirmed
staff-notice-expired = ⌛ Booking lapsed: not confirmed in time
staff-notice-cant-make = 🚫 Prospect can't make it: please cancel or move the booking
staff-notice-studio = Studio: { $studio }
staff-notice-offer-class = Class: { $offer } (id { $id })
staff-notice-offer-appointment = Appointment: { $offer } (id { $id })
staff-notice-offer-unknown = Offer: { $offer }
staff-notice-slot = When: { $slot }
staff-notice-name = Name: { $name }
staff-notice-fields = Details given: { $fields }
staff-notice-campaign = Campaign: { $campaign }
staff-notice-no-campaign = Campaign: none (link without a tag)
staff-notice-status = Status: { $status }
staff-notice-lead-id = Lead id: { $id }
staff-notice-booking-id = Booking id: { $id }
staff-notice-booking-unknown = ❓ Booking answer lost: please check the studio's calendar
staff-notice-lead-unknown = ❓ Lead answer lost: please check the studio's leads
staff-notice-confirm-unknown = ❓ Confirmation answer lost
staff-notice-telegram-user = Telegram user: { $id }
staff-notice-email = E-mail: { $email }
staff-notice-attempt = Attempt: { $id }
staff-notice-booking-found = Checked: the studio holds this booking. Its id never reached the bot, so where the studio requires confirmation the prospect confirms through the studio's e-mail, not in the bot.
staff-notice-lead-found = Checked: the studio holds this lead; its id never reached the bot, so the prospect can't book through the bot. Please get in touch with them.
staff-notice-not-made = Checked: the studio had not acted; nothing was booked or created by that try.
staff-notice-unclear = Checked: the studio's answer doesn't tell. The prospect was asked not to book again; please check and get in touch with them.
staff-notice-unchecked = Not checked yet: the studio doesn't answer. The prospect can check again with "Try again".
staff-notice-confirm-check = The prospect can tap "Confirm booking" again; if they don't, please check whether the booking is confirmed.
staff-field-first-name = first name
staff-field-last-name = last name
staff-field-email = e-mail
staff-field-gender = gender
staff-field-date-of-birth = date of birth
staff-field-telephone = phone
staff-field-street = street
staff-field-house-number = house number
staff-field-zip-code = postcode
staff-field-city = town
