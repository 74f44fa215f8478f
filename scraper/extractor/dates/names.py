"""Month and weekday names of the languages the date parser reads (:mod:`.text`): data only.

Add a language here; the patterns in :mod:`.text` pick its names up.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MONTHS", "ARABIC_MONTHS", "WEEKDAYS", "WEEKDAY_NAMES"]

_GREEK = re.compile("[\u0370-\u03ff]")


def _unaccented(name: str) -> str:
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)))


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

# More languages, twelve names each, January first (each joins MONTHS below). Croatian
# "listopad" is October but Polish and Czech November, so Croatian October is left out.
_MORE_MONTHS: dict[str, tuple[str, ...]] = {
    "el": ("ιανουαρίου", "φεβρουαρίου", "μαρτίου", "απριλίου", "μαΐου", "ιουνίου", "ιουλίου",
           "αυγούστου", "σεπτεμβρίου", "οκτωβρίου", "νοεμβρίου", "δεκεμβρίου"),
    "el, nominative": ("ιανουάριος", "φεβρουάριος", "μάρτιος", "απρίλιος", "μάιος", "ιούνιος", "ιούλιος",
                       "αύγουστος", "σεπτέμβριος", "οκτώβριος", "νοέμβριος", "δεκέμβριος"),
    "el, short": ("ιαν", "φεβ", "μαρ", "απρ", "μαΐ", "ιουν", "ιουλ", "αυγ", "σεπ", "οκτ", "νοε", "δεκ"),
    "hu": ("január", "február", "március", "április", "május", "június", "július", "augusztus",
           "szeptember", "október", "november", "december"),
    "hu, short": ("jan", "febr", "márc", "ápr", "máj", "jún", "júl", "aug", "szept", "okt", "nov", "dec"),
    "fi": ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
           "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"),
    "et": ("jaanuar", "veebruar", "märts", "aprill", "mai", "juuni", "juuli", "august", "september",
           "oktoober", "november", "detsember"),
    "lt": ("sausio", "vasario", "kovo", "balandžio", "gegužės", "birželio", "liepos", "rugpjūčio",
           "rugsėjo", "spalio", "lapkričio", "gruodžio"),
    "hr": ("siječnja", "veljače", "ožujka", "travnja", "svibnja", "lipnja", "srpnja", "kolovoza",
           "rujna", "", "studenoga", "prosinca"),
    "hr, nominative": ("siječanj", "veljača", "ožujak", "travanj", "svibanj", "lipanj", "srpanj",
                       "kolovoz", "rujan", "", "studeni", "prosinac"),
    "sr, bs": ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
               "oktobar", "novembar", "decembar"),
    "sr, Cyrillic": ("јануар", "фебруар", "март", "април", "мај", "јун", "јул", "август", "септембар",
                     "октобар", "новембар", "децембар"),
    "sr, bs, genitive": ("januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta",
                         "septembra", "oktobra", "novembra", "decembra"),
    "sr, Cyrillic genitive": ("јануара", "фебруара", "марта", "априла", "маја", "јуна", "јула", "августа",
                              "септембра", "октобра", "новембра", "децембра"),
    "bg": ("януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември",
           "октомври", "ноември", "декември"),
    "sk": ("januára", "februára", "marca", "apríla", "mája", "júna", "júla", "augusta", "septembra",
           "októbra", "novembra", "decembra"),
    "sl": ("januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september",
           "oktober", "november", "december"),
    "ca": ("gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost", "setembre",
           "octubre", "novembre", "desembre"),
    "gl": ("xaneiro", "febreiro", "marzo", "abril", "maio", "xuño", "xullo", "agosto", "setembro",
           "outubro", "novembro", "decembro"),
    "sw": ("januari", "februari", "machi", "aprili", "mei", "juni", "julai", "agosti", "septemba",
           "oktoba", "novemba", "desemba"),
    "tl": ("enero", "pebrero", "marso", "abril", "mayo", "hunyo", "hulyo", "agosto", "setyembre",
           "oktubre", "nobyembre", "disyembre"),
    "hi": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर",
           "नवंबर", "दिसंबर"),
    "hi, variants": ("जनवरी", "फरवरी", "मार्च", "अप्रेल", "मई", "जून", "जुलाई", "अगस्त", "सितम्बर",
                     "अक्तूबर", "नवम्बर", "दिसम्बर"),
    "mr": ("जानेवारी", "फेब्रुवारी", "मार्च", "एप्रिल", "मे", "जून", "जुलै", "ऑगस्ट", "सप्टेंबर",
           "ऑक्टोबर", "नोव्हेंबर", "डिसेंबर"),
    "bn": ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর",
           "অক্টোবর", "নভেম্বর", "ডিসেম্বর"),
}
MONTHS = {number: names + tuple(dict.fromkeys(
    more[number - 1] for more in _MORE_MONTHS.values() if more[number - 1] and more[number - 1] not in names))
    for number, names in MONTHS.items()}

#: Weekday names by ``date.weekday()`` (Monday is 0), lower-cased.
WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("monday", "mon", "montag", "lundi", "lunes", "lunedì", "segunda-feira", "maandag", "poniedziałek",
        "понедельник", "понеділок", "дүйсенбі", "måndag", "mandag", "senin", "pazartesi",
        "الاثنين", "الإثنين",
        "δευτέρα", "hétfő", "thứ hai", "thứ 2", "सोमवार", "pondělí", "pondelok", "ponedjeljak", "ponedeljak",
        "luni", "maanantai", "dilluns", "понеделник"),
    1: ("tuesday", "tue", "tues", "dienstag", "mardi", "martes", "martedì", "terça-feira", "dinsdag", "wtorek",
        "вторник", "вівторок", "сейсенбі", "tisdag", "tirsdag", "selasa", "salı",
        "الثلاثاء",
        "τρίτη", "kedd", "thứ ba", "thứ 3", "मंगलवार", "úterý", "utorok", "utorak", "marți", "marţi", "tiistai",
        "dimarts"),
    2: ("wednesday", "wed", "mittwoch", "mercredi", "miércoles", "mercoledì", "quarta-feira", "woensdag",
        "środa", "среда", "середа", "сәрсенбі", "onsdag", "rabu", "çarşamba",
        "الأربعاء", "الاربعاء",
        "τετάρτη", "szerda", "thứ tư", "thứ 4", "बुधवार", "středa", "streda", "srijeda", "sreda", "miercuri",
        "keskiviikko", "dimecres", "сряда"),
    3: ("thursday", "thu", "thur", "thurs", "donnerstag", "jeudi", "jueves", "giovedì", "quinta-feira",
        "donderdag", "czwartek", "четверг", "четвер", "бейсенбі", "torsdag", "kamis", "perşembe",
        "الخميس",
        "πέμπτη", "csütörtök", "thứ năm", "thứ 5", "गुरुवार", "čtvrtek", "štvrtok", "četvrtak", "joi",
        "torstai", "dijous", "четвъртък"),
    4: ("friday", "fri", "freitag", "vendredi", "viernes", "venerdì", "sexta-feira", "vrijdag", "piątek",
        "пятница", "п'ятниця", "пʼятниця", "жұма", "fredag", "jumat", "jum'at", "cuma",
        "الجمعة",
        "παρασκευή", "péntek", "thứ sáu", "thứ 6", "शुक्रवार", "pátek", "piatok", "petak", "vineri",
        "perjantai", "divendres", "петък"),
    5: ("saturday", "sat", "samstag", "sonnabend", "samedi", "sábado", "sabato", "zaterdag", "sobota",
        "суббота", "субота", "сенбі", "lördag", "lørdag", "sabtu", "cumartesi",
        "السبت",
        "σάββατο", "szombat", "thứ bảy", "thứ 7", "शनिवार", "subota", "sâmbătă", "sîmbătă", "lauantai",
        "dissabte", "събота"),
    6: ("sunday", "sun", "sonntag", "dimanche", "domingo", "zondag", "niedziela", "воскресенье", "неділя",
        "жексенбі", "söndag", "søndag", "minggu", "pazar",
        "الأحد", "الاحد",
        "κυριακή", "vasárnap", "chủ nhật", "रविवार", "neděle", "nedeľa", "nedjelja", "nedelja", "duminică",
        "sunnuntai", "diumenge", "неделя"),
}


def _with_plain_greek(table: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    """Greek capitals drop the accents ("ΤΕΤΑΡΤΗ 4 ΜΑΡΤΙΟΥ 2020"): the plain spelling too."""
    return {number: names + tuple(dict.fromkeys(
        plain for plain in (_unaccented(n) for n in names if _GREEK.search(n)) if plain not in names))
        for number, names in table.items()}


WEEKDAY_NAMES = _with_plain_greek(WEEKDAY_NAMES)
MONTHS = _with_plain_greek(MONTHS)
#: Weekday names, as one regex alternation (longest first).
WEEKDAYS = "|".join(sorted((n for names in WEEKDAY_NAMES.values() for n in names), key=len, reverse=True))
