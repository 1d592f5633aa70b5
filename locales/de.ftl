## Start and offers

start-greeting = Hi! Ich bin der Buchungsassistent von { $studio }. Ich buche dir in einer Minute ein kostenloses Probetraining.
start-greeting-no-name = Hi! Ich bin der Buchungsassistent des Studios. Ich buche dir in einer Minute ein kostenloses Probetraining.
offers-choose = Welches Probetraining möchtest du buchen?
offers-page = Seite { $page } von { $pages }
offers-none = Im Moment gibt es keine Probetrainings, die man online buchen kann.
offer-button-class = 🏋️ { $title }
offer-button-appointment = 📅 { $title }
deep-link-invalid = Dieser Link funktioniert leider nicht, aber hier ist alles, was du buchen kannst.
offer-gone = Dieses Probetraining wird nicht mehr angeboten. Das hier kannst du stattdessen buchen.
offer-no-online-booking = „{ $offer }“ können Neukunden nicht online buchen. Bitte melde dich direkt beim Studio.
button-previous = ◀️ Zurück
button-next = Mehr ▶️
button-other-offers = Andere Probetrainings
button-start-over = Neu anfangen
start-over = Okay, wir fangen neu an.

## Studio contact

studio-contact-intro = So erreichst du das Studio:
studio-contact-email = ✉️ { $email }
studio-contact-telephone = 📞 { $telephone }
studio-contact-website = 🌐 { $website }
studio-contact-address = 📍 { $address }
studio-contact-missing = Ich kann die Kontaktdaten des Studios gerade nicht abrufen. Bitte versuch es später noch einmal.

## Slots

slots-header = Wann möchtest du zu { $offer } kommen?
slots-pick-time = 📅 { $day }: wähl eine Uhrzeit.
slots-waiting-list-note = ⏳ Ausgebucht: antippen, um auf die Warteliste zu kommen.
slot-day-free = { $day } ✓
slot-day-waiting-list = { $day } ⏳
slot-day-none = { $day } ✕
slot-day-selected = • { $day } •
slots-day-none-toast = Am { $day } ist nichts mehr frei. Bitte wähl einen anderen Tag.
slot-button = { $time }
slot-button-waiting-list = { $time } ⏳
button-earlier-times = ◀️ Frühere Uhrzeiten
button-later-times = Spätere Uhrzeiten ▶️
button-earlier = ◀️ Früher
button-later = Später ▶️
slots-none = Für { $offer } gibt es gerade keine freien Termine. Vielleicht passt ein anderes Probetraining?
slots-none-in-window = Vom { $from } bis { $to } gibt es keine freien Termine. Probier frühere oder spätere Tage oder ein anderes Probetraining.
slot-gone = Schade, dieser Termin wurde gerade vergeben oder ist nicht mehr buchbar. Diese Termine sind noch frei:
slot-now-waiting-list = Schade, dieser Termin ist gerade ausgebucht. Du kannst dich noch auf die Warteliste setzen lassen: Tipp ihn unten noch einmal an oder wähl einen anderen Termin.

## Lead data

lead-intro = Gute Wahl: { $offer } am { $date } um { $time }. Ich brauche nur noch ein paar Angaben, um dich anzumelden.
lead-ask-first-name = Wie ist dein Vorname?
lead-ask-last-name = Und dein Nachname?
lead-ask-email = Wie lautet deine E-Mail-Adresse? Dorthin schickt das Studio deine Buchungsbestätigung.
lead-ask-gender = Welches Geschlecht hast du?
lead-ask-date-of-birth = Wann bist du geboren? Zum Beispiel 31.12.1990.
lead-ask-telephone = Wie lautet deine Telefonnummer? Tipp sie ein oder teile sie mit dem Button unten.
lead-ask-street = In welcher Straße wohnst du?
lead-ask-address = Wie ist deine Adresse? In einer Zeile, zum Beispiel: Torstraße 119, 10119 Berlin
lead-address-understood = Stimmt das so?
    Straße: { $street }
    Hausnummer: { $number }
    Postleitzahl: { $zip }
    Ort: { $city }
lead-address-understood-no-number = Stimmt das so?
    Straße: { $street }
    Hausnummer: keine
    Postleitzahl: { $zip }
    Ort: { $city }
lead-address-unreadable = Straße, Hausnummer, Postleitzahl und Ort konnte ich daraus nicht sicher lesen. Gehen wir sie einzeln durch.
button-address-ok = ✅ Stimmt so
button-address-in-parts = ✏️ Einzeln eingeben
lead-ask-house-number = Und die Hausnummer?
lead-ask-zip-code = Wie lautet deine Postleitzahl?
lead-ask-city = Und der Ort?
lead-optional = (Freiwillig: Tipp auf „Überspringen“, wenn du das nicht angeben möchtest.)
button-skip = Überspringen
button-use-name = „{ $name }“ verwenden
button-use-full-name = { $name } verwenden
button-share-contact = 📱 Meine Telefonnummer teilen
gender-female = Weiblich
gender-male = Männlich
gender-diverse = Divers
lead-error-empty = Da war nichts drin. Bitte tipp deine Antwort ein.
lead-error-too-long = Das ist zu lang: bitte höchstens { $max } Zeichen.
lead-error-no-letters = Das sieht nicht richtig aus. Bitte verwende Buchstaben.
lead-error-email = Das sieht nicht wie eine E-Mail-Adresse aus. Bitte prüf sie, zum Beispiel name@beispiel.de.
lead-error-phone = Das sieht nicht wie eine gültige Telefonnummer aus. Bitte gib sie mit Vorwahl ein, zum Beispiel { $example }, oder mit + und Ländervorwahl.
lead-error-zip-code = Eine Postleitzahl hat { $min } bis { $max } Buchstaben, Ziffern, Leerzeichen oder Bindestriche. Bitte prüf sie.
lead-error-zip-code-digits = Eine Postleitzahl hat hier { $digits } Ziffern. Bitte prüf sie.
lead-error-date-format = Dieses Datum kann ich nicht lesen. Bitte schreib es so: 31.12.1990, 31/12/1990 oder 1990-12-31.
lead-error-date-impossible = Dieses Datum gibt es nicht. Bitte prüf Tag und Monat.
lead-error-date-future = Dieses Datum liegt in der Zukunft. Bitte gib dein Geburtsdatum ein.
lead-error-date-too-old = Dann wärst du älter als { $years } Jahre. Bitte prüf das Jahr.
lead-error-date-too-young = Probetrainings gibt es hier ab { $years } Jahren. Bitte prüf das Jahr.
lead-error-not-text = Das kann ich hier nicht lesen. Bitte tipp deine Antwort ein.
lead-error-contact-foreign = Das ist der Kontakt von jemand anderem. Bitte teile deine eigene Nummer oder tipp sie ein.
lead-error-contact-invalid = Die Nummer deines Telegram-Kontos kann ich nicht verwenden. Bitte tipp die Nummer ein, unter der das Studio dich erreicht.
lead-error-use-buttons = Bitte tipp auf einen der Buttons.
lead-error-required = Diese Angabe braucht das Studio, sie kann nicht übersprungen werden.
lead-telephone-saved = Danke, deine Nummer habe ich.
lead-telephone-skipped = Okay, ohne Telefonnummer.
lead-details-again = Das Studio hat deine Angaben nicht mehr, deshalb brauche ich sie noch einmal, um { $offer } am { $date } um { $time } zu buchen.
lead-details-again-list = Das Studio hat deine Angaben nicht mehr, deshalb frage ich sie noch einmal ab, sobald du einen Termin gewählt hast.

## Summary

summary-header = Bitte prüf deine Buchung: { $offer } am { $date } um { $time }.
summary-waiting-list = Dieser Termin ist ausgebucht, du kommst auf die Warteliste.
summary-name = Name: { $first } { $last }
summary-email = E-Mail: { $value }
summary-gender-female = Geschlecht: weiblich
summary-gender-male = Geschlecht: männlich
summary-gender-diverse = Geschlecht: divers
summary-date-of-birth = Geburtsdatum: { $value }
summary-telephone = Telefon: { $value }
summary-address = Adresse: { $value }
summary-consent = Mit „Jetzt buchen“ bist du einverstanden, dass das Studio diese Angaben speichert, um dein Probetraining zu organisieren. Datenschutz: { $url }
summary-consent-no-link = Mit „Jetzt buchen“ bist du einverstanden, dass das Studio diese Angaben speichert, um dein Probetraining zu organisieren.
button-book = ✅ Jetzt buchen
button-cancel = Abbrechen
edit-first-name = ✏️ Vorname
edit-last-name = ✏️ Nachname
edit-email = ✏️ E-Mail
edit-gender = ✏️ Geschlecht
edit-date-of-birth = ✏️ Geburtsdatum
edit-telephone = ✏️ Telefon
edit-address = ✏️ Adresse
input-use-buttons = Bitte nutz die Buttons oben oder /start, um neu anzufangen.

## Lead check

lead-invalid-data = Das Studio hat diese Angaben nicht angenommen. Bitte prüf sie, vor allem E-Mail-Adresse und Telefonnummer, und tipp dann noch einmal auf „Jetzt buchen“.
lead-duplicate = Es sieht so aus, als ob das Studio dich schon kennt, deshalb kann ich dich hier nicht noch einmal anmelden. Falls sich in deiner E-Mail-Adresse ein Tippfehler versteckt, korrigier sie unten. Sonst melde dich bitte beim Studio, um dein Probetraining zu buchen.
lead-unknown-status = Das Studio konnte deine Angaben gerade nicht annehmen. Bitte prüf sie und versuch es noch einmal, oder melde dich beim Studio.
button-fix-email = ✏️ E-Mail-Adresse korrigieren

## Booking validation

booking-status-no-contingent = Dieses Probetraining kann man { $contingent ->
        [one] einmal
       *[other] { $contingent }-mal
    } pro Person buchen, deshalb kann ich kein weiteres für dich buchen. Das Studio erzählt dir gern, welche Möglichkeiten es sonst gibt.
booking-status-no-contingent-term = Dieses Probetraining kann man { $contingent ->
        [one] einmal
       *[other] { $contingent }-mal
    } pro Person buchen, aber nur einmal innerhalb { $unit ->
        [DAY] { $value ->
            [one] eines Tages
           *[other] von { $value } Tagen
        }
        [WEEK] { $value ->
            [one] einer Woche
           *[other] von { $value } Wochen
        }
        [MONTH] { $value ->
            [one] eines Monats
           *[other] von { $value } Monaten
        }
        [YEAR] { $value ->
            [one] eines Jahres
           *[other] von { $value } Jahren
        }
       *[other] von { $value } { $unit }
    }, deshalb kann ich diesen Termin nicht für dich buchen. Das Studio erzählt dir gern, welche Möglichkeiten es sonst gibt.
booking-status-limit-reached = Dieser Termin ist gerade voll geworden. Das sind die nächsten freien Termine:
booking-status-already-booked = Du bist für diesen Termin schon angemeldet, du musst nicht noch einmal buchen.
booking-status-customer-idle = Deine Mitgliedschaft im Studio ruht zu dieser Zeit, deshalb kann ich das nicht für dich buchen. Bitte melde dich beim Studio.
booking-status-other-booking = Zu dieser Zeit hast du schon eine andere Buchung. Bitte wähl einen anderen Termin.
booking-status-display-only = Dieser Kurs kann nicht online gebucht werden. Bitte wähl ein anderes Probetraining.
booking-status-too-early = Dieser Termin ist noch nicht buchbar. Bitte wähl einen späteren Termin oder schau näher am Datum wieder vorbei.
booking-status-too-late = Für diesen Termin ist die Buchung schon geschlossen. Bitte wähl einen anderen Termin.
booking-status-studio-closed = Zu dieser Zeit hat das Studio geschlossen. Bitte wähl einen anderen Termin.
booking-status-not-available = Dieser Termin ist nicht buchbar. Bitte wähl einen anderen.
booking-status-past-start = Dieser Termin hat schon begonnen. Bitte wähl einen späteren.
booking-status-end-before-start = Mit diesem Termin stimmt beim Studio etwas nicht. Bitte wähl einen anderen.
booking-status-period-mismatch = Dieser Termin passt nicht zur Dauer des Angebots. Bitte wähl einen anderen.
booking-status-restrictions = Für diesen Termin gibt es Voraussetzungen, die ich online nicht prüfen kann. Bitte melde dich zum Buchen beim Studio.
booking-status-resource-unavailable = Der Raum oder die Geräte für diesen Termin sind nicht verfügbar. Bitte wähl einen anderen Termin.
booking-status-unknown = Das Studio konnte diesen Termin nicht buchen. Bitte wähl einen anderen.

## Booking result

booking-success = Du bist angemeldet! { $offer } am { $date } um { $time }.
booking-detail-studio = 📍 Wo: { $place }
booking-detail-room = 🚪 Raum: { $room } ({ $note })
booking-detail-location = 🚪 Raum: { $location }
booking-detail-instructors = 👤 Mit: { $names }
booking-calendar-caption = { $offer } für deinen Kalender.
booking-waiting-list = Du stehst auf der Warteliste für { $offer } am { $date } um { $time }. Das Studio meldet sich, wenn ein Platz frei wird.
booking-confirm-required = Fast geschafft! { $offer } am { $date } um { $time } ist für dich reserviert. Bitte bestätige bis { $deadlineDate } um { $deadlineTime } Uhr, sonst verfällt die Buchung.
booking-confirm-required-no-deadline = Fast geschafft! { $offer } am { $date } um { $time } ist für dich reserviert. Bitte bestätige die Buchung mit dem Button unten.
booking-canceled = Das Studio hat diese Buchung gleich wieder storniert. Bitte wähl ein anderes Probetraining oder melde dich beim Studio.
booking-unknown-status = Die Antwort des Studios verstehe ich nicht, deshalb weiß ich nicht, ob du angemeldet bist. Bitte frag beim Studio nach.
booking-existing = Diese Buchung hast du schon: { $date } um { $time }. Du musst nicht noch einmal buchen.
booking-existing-waiting-list = Du stehst schon auf der Warteliste für { $date } um { $time }.
booking-existing-confirm = Diese Buchung hast du schon: { $date } um { $time }. Bitte bestätige sie mit dem Button in der Nachricht oben.
booking-busy = Einen Moment, ich buche noch.
button-confirm = ✅ Buchung bestätigen
button-book-another = Weiteres Probetraining buchen
button-book-again = Noch einmal buchen

## Confirmation

confirm-done = Bestätigt! Bis bald bei { $offer } am { $date } um { $time }.
confirm-done-short = Bestätigt! Bis bald.
confirm-expired = Die Zeit zum Bestätigen ist abgelaufen, die Buchung ist verfallen. Möchtest du noch einmal buchen?
confirm-not-yours = Dieser Button gehört zu keiner deiner Buchungen.
confirm-already-confirmed = Schon bestätigt ✅
confirm-in-progress = Wird bestätigt, einen Moment …
confirm-unknown-status = Die Antwort des Studios verstehe ich nicht. Bitte versuch es noch einmal oder melde dich beim Studio.

## Lost answers

booking-found = Gute Nachricht: Du bist für { $offer } am { $date } um { $time } angemeldet. Die Antwort des Studios ging unterwegs verloren, deshalb habe ich beim Studio nachgefragt.
booking-found-waiting-list = Du stehst auf der Warteliste für { $offer } am { $date } um { $time }. Die Antwort des Studios ging unterwegs verloren, deshalb habe ich beim Studio nachgefragt.
booking-found-confirm-by-email = Das Studio möchte, dass du diese Buchung bestätigst: Den Link dazu schickt es dir per E-Mail.
booking-outcome-unclear = Ich konnte nicht herausfinden, ob { $offer } am { $date } um { $time } für dich gebucht wurde. Bitte buch den Termin nicht noch einmal: Das Studio prüft es und meldet sich bei dir.
booking-check-failed = Die Antwort des Studios auf deine Buchung ging verloren, und auf meine Nachfrage antwortet das Studio gerade nicht. Ich buche nichts doppelt. Bitte tipp gleich auf „Nochmal versuchen“, dann frage ich noch einmal nach.
booking-not-made = Deine Buchung hat nicht geklappt: Das Studio hat zu dieser Zeit keine Buchung für dich. Tipp auf „Nochmal versuchen“, um sie zu buchen.
lead-details-with-studio = Das Studio hat deine Angaben und meldet sich bei dir, um dein Probetraining zu vereinbaren.
lead-check-failed = Die Antwort des Studios auf deine Angaben ging verloren, und auf meine Nachfrage antwortet das Studio gerade nicht. Ich schicke nichts doppelt. Bitte tipp gleich auf „Nochmal versuchen“, dann frage ich noch einmal nach.
lead-not-made = Deine Angaben sind beim Studio nicht angekommen. Tipp auf „Nochmal versuchen“, um sie zu senden.
confirm-outcome-unknown = Ich weiß nicht, ob deine Bestätigung beim Studio angekommen ist. Bitte tipp noch einmal auf „Buchung bestätigen“: Zweimal bestätigen schadet nicht.

## Errors

error-studio-unavailable = Das Buchungssystem des Studios antwortet gerade nicht. Alles, was du eingegeben hast, ist gespeichert. Bitte tipp gleich auf „Nochmal versuchen“.
error-studio-failed = Das Studio konnte das nicht verarbeiten. Alles, was du eingegeben hast, ist gespeichert. Du kannst es noch einmal versuchen oder neu anfangen.
error-studio-unavailable-plain = Das Buchungssystem des Studios antwortet gerade nicht. Bitte tipp gleich auf „Nochmal versuchen“.
error-studio-failed-plain = Das Studio konnte das nicht verarbeiten. Du kannst es noch einmal versuchen oder neu anfangen.
studio-busy = Das Buchungssystem des Studios ist gerade ausgelastet. Ich versuche es in etwa { $seconds ->
        [one] einer Sekunde
       *[other] { $seconds } Sekunden
    } von selbst noch einmal und sage dir, wie es ausgegangen ist.
studio-busy-minutes = Das Buchungssystem des Studios ist gerade ausgelastet. Ich versuche es in etwa { $minutes ->
        [one] einer Minute
       *[other] { $minutes } Minuten
    } von selbst noch einmal und sage dir, wie es ausgegangen ist.
studio-busy-saved = Alles, was du eingegeben hast, ist gespeichert.
studio-busy-toast = Noch ausgelastet. Ich versuche es von selbst noch einmal, du musst nichts tippen.
button-try-again = 🔄 Nochmal versuchen
callback-outdated = Dieser Button ist nicht mehr aktuell.
callback-outdated-list = Dieser Button ist nicht mehr aktuell. Bitte nimm die neueste Liste weiter unten.
retry-trying = Ich versuche es noch einmal …
working-wait = Ich warte noch auf die Antwort des Studios. Falls nichts passiert, tipp auf „Nochmal versuchen“.

## Commands

help =
    Ich buche dir kostenlose Probetrainings im Studio.
    /start zeigt dir die Probetrainings, die du buchen kannst.
    /cancel bricht die aktuelle Buchung ab (was du schon gebucht hast, bleibt).
    /language wechselt zwischen Deutsch und Englisch.
    /reminders schaltet die Erinnerungen an deine Buchungen aus oder ein.
    /forget löscht alles, was ich über dich gespeichert habe.
cancel-done = Okay, ich habe abgebrochen. Buchungen, die du schon gemacht hast, bleiben bestehen. Mit /start fängst du neu an.
idle-hint = Tipp /start oder den Button unten, um die Probetrainings zu sehen, die du buchen kannst.
button-show-offers = Probetrainings anzeigen
language-choose = Welche Sprache möchtest du?
language-set = Alles klar, ab jetzt spreche ich Deutsch.
language-name-en = English
language-name-de = Deutsch
forget-done = Erledigt: Ich habe alles gelöscht, was ich über dich gespeichert hatte. Deine Buchungen im Studio bleiben davon unberührt; wenn deine Daten auch dort gelöscht werden sollen, melde dich bitte beim Studio.
forget-pending-booking = Deine Buchung am { $date } um { $time } muss noch bestätigt werden. Sie bleibt im Studio bestehen, aber ich kann sie nicht mehr für dich bestätigen: Bitte wende dich an das Studio, um sie zu bestätigen oder abzusagen.

## After the booking

booking-waiting-list-contact = Für einen Platz auf der Warteliste schicke ich keine Erinnerungen: Das Studio meldet sich bei dir, sobald ein Platz frei wird.
reminder-confirm-nudge = Erinnerung: Bitte bestätige { $offer } am { $date } um { $time } bis { $deadlineDate } um { $deadlineTime }, sonst verfällt die Buchung.
reminder-lapsed = Die Zeit zum Bestätigen von { $offer } am { $date } um { $time } ist abgelaufen, deshalb ist die Buchung verfallen. Möchtest du noch einmal buchen?
reminder-slot = Erinnerung: { $offer } am { $date } um { $time }.
reminder-slot-room = Raum: { $room }
reminder-slot-address = Adresse: { $address }
button-attend = Ich bin dabei
button-cant-make-it = Ich kann nicht
button-no-more-reminders = Keine Erinnerungen mehr
button-book-another-time = Anderen Termin buchen
reminder-attend-thanks = Super, bis dann!
reminder-cant-make-done = Danke für die Nachricht. Ich habe dem Studio gesagt, dass du nicht kommen kannst; für diese Buchung bekommst du keine Erinnerungen mehr.
reminder-cant-make-already = Das Studio weiß schon, dass du nicht kommen kannst.
reminders-off = Okay, keine Erinnerungen mehr. Mit /reminders schaltest du sie für deine nächsten Buchungen wieder ein.
reminders-on = Erinnerungen sind wieder an: Deine nächsten Buchungen bekommen sie. Mit /reminders schaltest du sie aus.

## Bot

bot-state-reset = Entschuldige, ich habe den Faden verloren. Lass uns noch einmal von vorn anfangen.
bot-store-unavailable = Entschuldige, ich habe gerade technische Probleme und kann nicht weitermachen. Bitte versuch es in ein paar Minuten noch einmal.
bot-chat-busy = Einen Moment bitte: Ich bin noch mit deiner vorherigen Nachricht beschäftigt. Diese hier kommt direkt danach dran.
bot-unexpected-error = Entschuldige, bei mir ist etwas schiefgelaufen. Bitte versuch es noch einmal oder tipp /start, um neu anzufangen.
bot-unknown-command = Diesen Befehl kenne ich nicht. Mit /help siehst du, was ich kann.
bot-edited-message = Ich lese nur neue Nachrichten, keine bearbeiteten. Bitte schick deine Antwort noch einmal als neue Nachricht.
bot-command-start = Kostenloses Probetraining buchen
bot-command-help = Was ich kann
bot-command-language = Sprache wechseln
bot-command-cancel = Aktuelle Buchung abbrechen
bot-command-forget = Meine gespeicherten Daten löschen
bot-command-reminders = Erinnerungen an Buchungen aus- oder einschalten
bot-command-studio = Anderes Studio wählen
bot-studio-pick = In welchem Studio möchtest du trainieren?
bot-studio-location-hint = Oder teile deinen Standort, dann zeige ich dir die Studios in deiner Nähe.
bot-studio-share-location = 📍 Meinen Standort teilen
bot-studio-page-back = ◀ Zurück
bot-studio-page-more = Weitere Studios ▶
bot-studio-nearest = Die Studios in deiner Nähe:

## Staff

staff-command-links = Angebotslinks und QR-Codes (Team)
staff-links-title = Probeangebote mit ihren Links: { $count }
staff-links-campaign = Kampagnen-Tag: { $campaign }
staff-links-hint = Für den QR-Code eines Angebots unten auf das Angebot tippen.
staff-links-line-class = 🏋️ { $title } (Kurs)
staff-links-line-appointment = 📅 { $title } (Termin)
staff-links-line-config = 📋 Alles aus { $title }
staff-links-button-class = 🏋️ { $title }
staff-links-button-appointment = 📅 { $title }
staff-links-button-config = 📋 { $title } (alle)
staff-links-none = Das Studio hat gerade keine Probeangebote, die Neukunden online buchen können.
staff-links-failed = Das Buchungssystem des Studios antwortet gerade nicht, daher können die Angebote nicht angezeigt werden. Bitte gleich noch einmal versuchen.
staff-links-campaign-invalid = Ein Kampagnen-Tag hat 1 bis 24 Zeichen: Kleinbuchstaben a-z, Ziffern und Bindestriche. Beispiel: /links poster
staff-links-studio = Studio: { $studio }
staff-links-studios-title = Deine Studios: { $count }
staff-links-studios-hint = Jeder Link öffnet die Probeangebote dieses Studios. Für die einzelnen Angebote eines Studios /links und seine ID senden (z. B. /links hamburg poster); für den QR-Code unten auf das Studio tippen.
staff-links-studio-line = 🏢 { $studio }
staff-links-studio-button = 🏢 { $studio }
staff-links-studio-unknown = Dieses Studio betreust du nicht. Deine Studios: { $studios }
staff-qr-refused = Das ist nur für das Studio-Team.
staff-qr-outdated = Diese Schaltfläche ist veraltet. Bitte /links erneut senden.
staff-qr-failed = Der QR-Code konnte nicht gesendet werden. Bitte noch einmal versuchen.
staff-notice-lead-created = 🆕 Neuer Lead
staff-notice-booked = ✅ Neue Probebuchung
staff-notice-confirmed = 👍 Buchung bestätigt
staff-notice-expired = ⌛ Buchung verfallen: nicht rechtzeitig bestätigt
staff-notice-cant-make = 🚫 Interessent kann nicht kommen: bitte Buchung absagen oder verschieben
staff-notice-studio = Studio: { $studio }
staff-notice-offer-class = Kurs: { $offer } (ID { $id })
staff-notice-offer-appointment = Termin: { $offer } (ID { $id })
staff-notice-offer-unknown = Angebot: { $offer }
staff-notice-slot = Wann: { $slot }
staff-notice-name = Name: { $name }
staff-notice-fields = Angegeben: { $fields }
staff-notice-campaign = Kampagne: { $campaign }
staff-notice-no-campaign = Kampagne: keine (Link ohne Tag)
staff-notice-status = Status: { $status }
staff-notice-lead-id = Lead-ID: { $id }
staff-notice-booking-id = Buchungs-ID: { $id }
staff-notice-booking-unknown = ❓ Antwort auf eine Buchung verloren: bitte den Kalender des Studios prüfen
staff-notice-lead-unknown = ❓ Antwort auf einen neuen Lead verloren: bitte die Leads des Studios prüfen
staff-notice-confirm-unknown = ❓ Antwort auf eine Bestätigung verloren
staff-notice-telegram-user = Telegram-Nutzer: { $id }
staff-notice-email = E-Mail: { $email }
staff-notice-attempt = Versuch: { $id }
staff-notice-booking-found = Geprüft: Das Studio hat diese Buchung. Ihre ID kam nie beim Bot an; wo das Studio eine Bestätigung verlangt, bestätigt der Interessent über die E-Mail des Studios, nicht im Bot.
staff-notice-lead-found = Geprüft: Das Studio hat diesen Lead; seine ID kam nie beim Bot an, deshalb kann der Interessent nicht über den Bot buchen. Bitte meldet euch bei ihm.
staff-notice-not-made = Geprüft: Das Studio hatte nichts angelegt; dieser Versuch hat nichts gebucht oder erstellt.
staff-notice-unclear = Geprüft: Die Antwort des Studios lässt es offen. Der Interessent wurde gebeten, nicht noch einmal zu buchen; bitte prüfen und bei ihm melden.
staff-notice-unchecked = Noch nicht geprüft: Das Studio antwortet nicht. Der Interessent kann mit „Nochmal versuchen“ erneut prüfen lassen.
staff-notice-confirm-check = Der Interessent kann noch einmal auf „Buchung bestätigen“ tippen; falls nicht, bitte prüfen, ob die Buchung bestätigt ist.
staff-field-first-name = Vorname
staff-field-last-name = Nachname
staff-field-email = E-Mail
staff-field-gender = Geschlecht
staff-field-date-of-birth = Geburtsdatum
staff-field-telephone = Telefon
staff-field-street = Straße
staff-field-house-number = Hausnummer
staff-field-zip-code = PLZ
staff-field-city = Ort
