"""Month and weekday names of the languages the date parser reads (:mod:`.text`): data only.

Add a language here; the patterns in :mod:`.text` pick its names up.
"""

from __future__ import annotations

__all__ = ["MONTHS", "ARABIC_MONTHS", "WEEKDAYS"]

# Month names (and common abbreviations) of the languages we meet, lower-cased.
# Russian/Ukrainian/Kazakh dates use the genitive ("октября"), so both forms are
# listed. Abbreviations are matched with an optional trailing dot.
# Arabic has two sets of names, both in use in news: the Egyptian/Gulf ones taken from the
# Latin months ("مارس") and the Levantine ones ("آذار", "تشرين الأول").
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen",
        "janeiro", "januari", "styczeń", "stycznia", "sty", "январь", "января", "янв",
        "січень", "січня", "қаңтар", "ocak", "leden", "ledna", "ianuarie", "ian"),
    2: ("february", "feb", "februar", "feber", "février", "fevrier", "févr", "fevr", "febrero",
        "febbraio", "fevereiro", "fev", "februari", "luty", "lutego", "lut", "февраль", "февраля",
        "фев", "лютий", "лютого", "ақпан", "şubat", "únor", "února", "februarie"),
    3: ("march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart",
        "marzec", "marca", "март", "марта", "мар", "березень", "березня", "наурыз", "mart",
        "březen", "března", "martie"),
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
        "srpna"),
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
         "грудень", "грудня", "желтоқсан", "aralık", "prosinec", "prosince", "decembrie"),
}
ARABIC_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني"),
    2: ("فبراير", "شباط"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "ابريل", "إبريل", "نيسان"),
    5: ("مايو", "أيار"),
    6: ("يونيو", "يونيه", "حزيران"),
    7: ("يوليو", "يوليه", "تموز"),
    8: ("أغسطس", "اغسطس", "آب"),
    9: ("سبتمبر", "أيلول"),
    10: ("أكتوبر", "اكتوبر", "تشرين الأول"),
    11: ("نوفمبر", "تشرين الثاني"),
    12: ("ديسمبر", "كانون الأول"),
}

#: Weekday names, as one regex alternation.
WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|"
    "sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|lundi|mardi|"
    "mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    "lunedì|martedì|mercoledì|giovedì|venerdì|sabato|segunda-feira|terça-feira|quarta-feira|"
    "quinta-feira|sexta-feira|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela|понедельник|вторник|среда|четверг|"
    "пятница|суббота|воскресенье|понеділок|вівторок|середа|четвер|п'ятниця|пʼятниця|субота|неділя|"
    "дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі"
)
