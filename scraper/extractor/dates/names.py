"""Month and weekday names of the languages the date parser reads (:mod:`.text`): data only.

Add a language here; the patterns in :mod:`.text` pick its names up.
"""

from __future__ import annotations

__all__ = ["MONTHS", "ARABIC_MONTHS", "WEEKDAYS", "WEEKDAY_NAMES"]

# Month names (and common abbreviations) of the languages we meet, lower-cased.
# Russian/Ukrainian/Kazakh dates use the genitive ("октября"), so both forms are
# listed. Abbreviations are matched with an optional trailing dot.
# Arabic has three sets of names in use in news: the Egyptian/Gulf ones taken from the Latin
# months ("مارس"), the Levantine ones ("آذار", "تشرين الأول") and the Maghreb ones ("فيفري").
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen",
        "janeiro", "januari", "styczeń", "stycznia", "sty", "январь", "января", "янв",
        "січень", "січня", "қаңтар", "ocak", "leden", "ledna", "ianuarie", "ian"),
    2: ("february", "feb", "februar", "feber", "février", "fevrier", "févr", "fevr", "febrero",
        "febbraio", "fevereiro", "fev", "februari", "luty", "lutego", "lut", "февраль", "февраля",
        "фев", "лютий", "лютого", "ақпан", "şubat", "únor", "února", "februarie"),
    3: ("march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart",
        "marzec", "marca", "март", "марта", "мар", "березень", "березня", "наурыз", "mart",
        "březen", "března", "martie", "maret", "marts", "mac"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwiecień", "kwietnia", "kwi",
        "апрель", "апреля", "апр", "квітень", "квітня", "сәуір", "nisan", "duben", "dubna", "aprilie"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "maja", "май", "мая",
        "травень", "травня", "мамыр", "mayıs", "květen", "května"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec", "czerwca",
        "cze", "июнь", "июня", "июн", "червень", "червня", "маусым", "haziran", "červen",
        "června", "iunie", "iun"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipiec",
        "lipca", "lip", "июль", "июля", "июл", "липень", "липня", "шілде", "temmuz",
        "červenec", "července", "iulie", "iul"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpień", "sierpnia",
        "sie", "август", "августа", "авг", "серпень", "серпня", "тамыз", "ağustos", "srpen",
        "srpna", "augusti", "agustus", "ogos"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro",
        "wrzesień", "września", "wrz", "сентябрь", "сентября", "сен", "сент", "вересень",
        "вересня", "қыркүйек", "eylül", "září", "septembrie"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
         "out", "październik", "października", "paź", "октябрь", "октября", "окт", "жовтень",
         "жовтня", "қазан", "ekim", "říjen", "října", "octombrie"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "lis",
         "ноябрь", "ноября", "ноя", "нояб", "листопад", "листопада", "қараша", "kasım", "noiembrie"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic",
         "dicembre", "dezembro", "grudzień", "grudnia", "gru", "декабрь", "декабря", "дек",
         "грудень", "грудня", "желтоқсан", "aralık", "prosinec", "prosince", "decembrie", "desember",
         "disember"),
}
ARABIC_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "جانفي"),
    2: ("فبراير", "شباط", "فيفري"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "ابريل", "إبريل", "نيسان", "أفريل"),
    5: ("مايو", "أيار", "ماي"),
    6: ("يونيو", "يونيه", "حزيران", "جوان"),
    7: ("يوليو", "يوليه", "تموز", "جويلية"),
    8: ("أغسطس", "اغسطس", "آب", "أوت"),
    9: ("سبتمبر", "أيلول"),
    10: ("أكتوبر", "اكتوبر", "تشرين الأول"),
    11: ("نوفمبر", "تشرين الثاني"),
    12: ("ديسمبر", "كانون الأول"),
}

#: Weekday names by ``date.weekday()`` (Monday is 0), lower-cased.
WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("monday", "mon", "montag", "lundi", "lunes", "lunedì", "segunda-feira", "maandag", "poniedziałek",
        "понедельник", "понеділок", "дүйсенбі", "måndag", "mandag", "senin", "pazartesi",
        "الاثنين", "الإثنين"),
    1: ("tuesday", "tue", "tues", "dienstag", "mardi", "martes", "martedì", "terça-feira", "dinsdag", "wtorek",
        "вторник", "вівторок", "сейсенбі", "tisdag", "tirsdag", "selasa", "salı",
        "الثلاثاء"),
    2: ("wednesday", "wed", "mittwoch", "mercredi", "miércoles", "mercoledì", "quarta-feira", "woensdag",
        "środa", "среда", "середа", "сәрсенбі", "onsdag", "rabu", "çarşamba",
        "الأربعاء", "الاربعاء"),
    3: ("thursday", "thu", "thur", "thurs", "donnerstag", "jeudi", "jueves", "giovedì", "quinta-feira",
        "donderdag", "czwartek", "четверг", "четвер", "бейсенбі", "torsdag", "kamis", "perşembe",
        "الخميس"),
    4: ("friday", "fri", "freitag", "vendredi", "viernes", "venerdì", "sexta-feira", "vrijdag", "piątek",
        "пятница", "п'ятниця", "пʼятниця", "жұма", "fredag", "jumat", "jum'at", "cuma",
        "الجمعة"),
    5: ("saturday", "sat", "samstag", "sonnabend", "samedi", "sábado", "sabato", "zaterdag", "sobota",
        "суббота", "субота", "сенбі", "lördag", "lørdag", "sabtu", "cumartesi",
        "السبت"),
    6: ("sunday", "sun", "sonntag", "dimanche", "domingo", "zondag", "niedziela", "воскресенье", "неділя",
        "жексенбі", "söndag", "søndag", "minggu", "pazar",
        "الأحد", "الاحد"),
}
#: Weekday names, as one regex alternation (longest first).
WEEKDAYS = "|".join(sorted((n for names in WEEKDAY_NAMES.values() for n in names), key=len, reverse=True))
