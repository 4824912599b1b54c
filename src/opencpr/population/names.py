"""Names for the synthetic population, as data with frequency weights.

Danish first names carry one weight per birth generation (born before 1950, 1950-74, 1975-99,
2000 and later), so that a woman born in 1938 is likely an Inger or a Grethe and a girl born in
2015 an Emma or a Freja. Surnames carry one weight, roughly the number of bearers in thousands
(Statistics Denmark's name statistics: Nielsen, Jensen and Hansen lead with about 200,000+
each, the -sen names dominate the top 25). Middle names (mellemnavne) are the surname-like
names Danes often carry between first and last name. Foreign names, by language group, are
used for foreign citizens and their families.

Every name here can be written in ISO-8859-1, the extract's character set: names from
languages with other letters are given in the Latin-1 transliteration CPR would hold.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

__all__ = [
    "ERAS",
    "FOREIGN_GROUPS",
    "Picker",
    "danish_first_name",
    "era_of",
    "feminine",
    "foreign_first_name",
    "foreign_surname",
    "middle_name",
    "surname",
]

#: First years of the name generations.
ERAS: tuple[int, ...] = (0, 1950, 1975, 2000)


class Picker:
    """Weighted random choice with precomputed cumulative weights (bisect, no per-call setup)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: list[str], weights: list[float]):
        if not items or len(items) != len(weights):
            raise ValueError("a picker needs items with one weight each")
        self.items = tuple(items)
        self.cum = tuple(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> str:
        return self.items[bisect(self.cum, rng.random() * self.total)]

    def weight_of(self, item: str) -> float:
        i = self.items.index(item)
        return self.cum[i] - (self.cum[i - 1] if i else 0.0)


def _table(text: str, columns: int) -> list[tuple[str, tuple[float, ...]]]:
    """Parse lines of ``Name w1 … wN`` (names may contain one space: ``Mary Grace``)."""
    out = []
    for line in text.strip().splitlines():
        parts = line.split()
        name = " ".join(parts[:-columns])
        out.append((name, tuple(float(w) for w in parts[-columns:])))
    return out


# --- Danish first names -----------------------------------------------------------------------
# Weights per generation: born <1950, 1950-74, 1975-99, 2000+ (relative popularity, ‰).

_FEMALE = """
Anne 14 38 22 4
Kirsten 20 42 3 0
Mette 2 30 24 1
Hanne 8 38 6 0
Anna 30 3 8 24
Helle 1 32 12 0
Susanne 1 36 6 0
Lene 1 30 14 0
Maria 8 6 18 12
Marianne 8 28 8 0
Lone 2 28 6 0
Camilla 0 2 26 4
Pia 0 27 8 0
Louise 1 4 26 6
Charlotte 1 14 22 2
Inge 26 10 0 0
Bente 12 24 1 0
Tina 0 18 14 0
Gitte 1 22 2 0
Karen 40 6 2 2
Ida 10 1 6 22
Emma 6 0 4 30
Julie 0 1 20 14
Sofie 0 0 16 20
Jette 3 24 1 0
Birgitte 8 22 4 0
Eva 12 8 4 2
Karin 14 12 2 0
Lise 8 12 4 0
Ulla 6 18 1 0
Dorthe 2 22 6 0
Katrine 1 2 18 4
Laura 0 0 6 22
Maja 0 0 4 20
Christina 0 6 18 3
Rikke 0 6 20 1
Sara 0 0 14 12
Jytte 8 14 0 0
Malene 0 4 18 1
Lisbeth 4 16 3 0
Mia 0 0 6 16
Freja 0 0 2 20
Ellen 18 2 1 8
Caroline 0 0 10 12
Signe 6 1 12 8
Cecilie 0 0 14 10
Nanna 0 0 14 6
Rita 6 10 0 0
Tanja 0 6 12 0
Anja 0 8 8 0
Kamilla 0 0 8 2
Emilie 0 0 8 18
Josefine 1 0 2 16
Clara 4 0 1 16
Alma 6 0 0 18
Sofia 0 0 1 18
Ella 3 0 0 18
Olivia 0 0 0 16
Agnes 8 0 0 14
Astrid 8 0 1 14
Frida 4 0 1 14
Isabella 0 0 2 14
Mathilde 0 0 4 14
Karla 4 0 0 14
Alberte 0 0 0 12
Lærke 0 0 2 12
Liva 0 0 0 10
Nora 0 0 0 12
Luna 0 0 0 10
Vigga 0 0 0 6
Esther 6 0 0 8
Ellie 0 0 0 6
Grethe 24 8 0 0
Ruth 16 4 0 0
Birthe 14 18 0 0
Else 30 4 0 0
Inger 32 6 0 0
Jonna 6 6 0 0
Ingrid 14 2 0 1
Gudrun 10 0 0 0
Erna 12 0 0 0
Edith 12 0 0 0
Dagmar 8 0 0 1
Margrethe 16 4 1 1
Elisabeth 12 6 3 1
Gerda 14 0 0 0
Kamma 4 0 0 0
Johanne 14 1 2 8
Marie 18 4 6 6
Ane 4 2 3 0
Lilly 6 0 0 2
Martha 6 0 0 2
Ingeborg 8 0 0 1
Tove 14 12 0 0
Aase 12 4 0 0
Bodil 12 6 0 0
Gunhild 4 0 0 0
Helga 8 0 0 0
Henny 8 2 0 0
Valborg 4 0 0 0
Vera 6 2 0 1
Rigmor 6 0 0 0
Sonja 6 6 0 0
Anny 6 2 0 0
Inga 4 0 0 0
Ketty 4 2 0 0
Asta 6 0 0 4
Thyra 4 0 0 0
Lis 6 6 0 0
Solveig 4 2 0 0
Annette 0 20 3 0
Vibeke 2 14 2 0
Winnie 0 10 2 0
Conny 1 8 0 0
Janne 0 12 4 0
Joan 0 8 0 0
Dorte 0 14 4 0
Merete 2 12 1 0
Heidi 0 10 8 0
Lotte 0 10 6 0
Anette 0 14 2 0
Henriette 0 8 8 0
Berit 1 6 0 0
Ingelise 4 4 0 0
Jane 0 8 2 0
Jeanette 0 8 6 0
Karina 0 4 12 0
Trine 0 4 14 0
Pernille 0 3 14 0
Sanne 0 4 10 0
Stine 0 2 14 1
Line 0 1 14 2
Simone 0 0 6 2
Natasja 0 0 5 0
Nadia 0 0 4 2
Michelle 0 0 5 1
Lea 0 0 4 10
Amalie 0 0 3 12
Victoria 0 0 2 8
Thea 0 0 1 10
Andrea 0 0 2 6
Naja 0 0 2 6
Selma 2 0 0 8
Silje 0 0 1 6
Tilde 0 0 0 6
Molly 0 0 0 5
Sigrid 4 0 0 5
Hannah 0 0 1 6
Rosa 2 0 0 5
Lykke 0 0 1 4
Liv 0 0 1 6
Malou 0 0 1 5
Bettina 0 6 2 0
Elsebeth 2 6 0 0
"""

_MALE = """
Peter 14 40 20 1
Jens 26 30 8 1
Michael 0 32 22 0
Lars 4 38 10 0
Henrik 2 34 16 0
Thomas 1 22 24 1
Søren 4 28 14 0
Jan 2 30 4 0
Niels 24 18 6 1
Christian 8 10 20 4
Martin 2 8 26 1
Jørgen 22 14 1 0
Hans 30 10 1 0
Anders 8 16 16 1
Morten 0 14 16 0
Jesper 0 12 20 0
Ole 14 20 1 0
Per 6 22 1 0
Erik 20 12 2 0
Mads 0 1 16 8
Rasmus 0 1 20 6
Mikkel 0 1 18 4
Kim 0 20 6 0
Frederik 2 0 12 12
Mathias 0 0 12 10
Brian 0 12 8 0
Poul 26 6 0 0
Carsten 1 18 2 0
Flemming 6 18 0 0
Torben 2 18 2 0
Bo 2 14 4 0
Kasper 0 0 18 2
Allan 1 12 4 0
Steen 4 14 1 0
Kenneth 0 8 8 0
Claus 2 14 4 0
Jakob 1 4 16 3
Jacob 0 2 12 2
Simon 0 1 14 4
Tobias 0 0 8 12
Johan 4 0 2 10
Kristian 8 4 8 1
John 4 12 1 0
Bjarne 4 12 0 0
Kurt 12 6 0 0
Finn 10 12 0 0
Knud 20 4 0 0
Bent 18 8 0 0
Leif 16 8 0 0
Svend 22 4 0 0
Preben 8 10 0 0
Erling 12 2 0 0
Arne 14 2 0 0
Emil 2 0 8 16
Oliver 0 0 2 20
William 1 0 1 20
Noah 0 0 0 18
Lucas 0 0 2 16
Oscar 2 0 1 16
Carl 10 0 1 14
Victor 0 0 4 14
Malthe 0 0 0 12
Alfred 6 0 0 14
Aksel 2 0 0 12
Valdemar 4 0 0 12
August 2 0 0 12
Magnus 0 0 4 12
Elias 0 0 0 12
Liam 0 0 0 10
Otto 4 0 0 10
Theo 0 0 0 8
Arthur 2 0 0 8
Viggo 6 0 0 10
Felix 0 0 1 8
Anton 2 0 2 10
Storm 0 0 0 4
Villads 0 0 0 6
Benjamin 0 0 3 6
Sebastian 0 0 8 8
Alexander 0 0 10 8
Adam 0 0 1 6
Hugo 0 0 0 6
Bertram 0 0 0 5
Vincent 0 0 0 5
Aron 0 0 0 4
Karl 14 0 0 6
Konrad 2 0 0 4
Ludvig 2 0 0 5
Marius 0 0 1 4
Sigurd 2 0 0 4
Albert 4 0 0 8
Hjalte 0 0 0 3
Vilhelm 2 0 0 4
Aage 16 0 0 0
Kaj 16 2 0 0
Børge 14 0 0 0
Holger 8 0 0 2
Harald 8 0 0 1
Frede 6 0 0 0
Gunnar 8 0 0 0
Ejnar 8 0 0 0
Verner 8 2 0 0
Henning 10 8 0 0
Egon 6 2 0 0
Ib 6 4 0 0
Mogens 12 8 0 0
Orla 6 2 0 0
Palle 4 6 0 0
Helge 6 2 0 0
Vagn 8 2 0 0
Tage 6 0 0 0
Villy 6 2 0 0
Ejvind 4 0 0 0
Thorvald 4 0 0 0
Axel 8 0 1 3
Johannes 10 2 1 2
Frank 0 8 2 0
René 0 8 8 0
Ulrik 0 6 4 0
Tommy 0 8 2 0
Dennis 0 2 10 0
Lasse 0 1 12 1
Gert 2 8 0 0
Jonas 0 0 14 8
Mikael 0 6 2 0
Rune 0 2 8 0
Jeppe 0 0 8 4
Steffen 0 4 8 0
Nikolaj 0 1 12 4
Nicolai 0 0 12 2
Daniel 0 0 16 6
Andreas 0 0 14 4
Casper 0 0 12 2
Patrick 0 0 6 0
Philip 0 0 6 4
Stefan 0 4 8 0
Kristoffer 0 0 8 2
Marc 0 0 5 0
Bjørn 2 4 4 0
Lukas 0 0 1 8
Benny 2 8 0 0
Ivan 2 6 0 0
Jimmy 0 6 3 0
Jørn 4 10 0 0
Christopher 0 0 6 4
Sune 0 2 5 0
Troels 0 4 6 1
Esben 0 2 6 2
Asger 2 0 2 6
Gustav 2 0 1 10
Laurits 2 0 0 6
Eigil 6 0 0 0
Alvin 0 0 0 4
"""

_TABLES_F = _table(_FEMALE, 4)
_TABLES_M = _table(_MALE, 4)


def _era_pickers(rows: list[tuple[str, tuple[float, ...]]]) -> tuple[Picker, ...]:
    merged: dict[str, list[float]] = {}
    for name, ws in rows:
        acc = merged.setdefault(name, [0.0] * len(ERAS))
        for i, w in enumerate(ws):
            acc[i] += w
    out = []
    for i in range(len(ERAS)):
        pairs = [(n, w[i]) for n, w in merged.items() if w[i] > 0]
        out.append(Picker([n for n, _ in pairs], [w for _, w in pairs]))
    return tuple(out)


_FIRST = {"K": _era_pickers(_TABLES_F), "M": _era_pickers(_TABLES_M)}


def era_of(birth_year: int) -> int:
    """Index of the name generation of a birth year."""
    return 3 if birth_year >= 2000 else 2 if birth_year >= 1975 else 1 if birth_year >= 1950 else 0


def danish_first_name(sex: str, birth_year: int, rng: random.Random) -> str:
    """One Danish first name for a person of ``sex`` ('M'/'K') born in ``birth_year``."""
    return _FIRST[sex][era_of(birth_year)](rng)


# --- surnames ---------------------------------------------------------------------------------
# Approximate number of bearers in thousands. The top 100 follow the national ranking; the tail
# of rarer names gives variety.

_SURNAMES = """
Nielsen 236
Jensen 235
Hansen 198
Andersen 149
Pedersen 148
Christensen 111
Larsen 107
Sørensen 103
Rasmussen 88
Jørgensen 81
Petersen 74
Madsen 60
Kristensen 58
Olsen 55
Thomsen 43
Christiansen 42
Poulsen 37
Johansen 36
Møller 35
Mortensen 34
Knudsen 30
Jakobsen 29
Mikkelsen 27
Jacobsen 26
Olesen 26
Frederiksen 25
Laursen 24
Henriksen 24
Lund 23
Schmidt 21
Eriksen 20
Holm 20
Kristiansen 19
Clausen 18
Simonsen 17
Svendsen 17
Andreasen 16
Iversen 15
Jeppesen 15
Østergaard 15
Vestergaard 14
Jepsen 14
Nissen 14
Lauridsen 13
Kjær 13
Jespersen 13
Mogensen 13
Skov 12
Nørgaard 12
Jessen 11
Søndergaard 11
Bertelsen 11
Dam 11
Kristoffersen 11
Nygaard 10
Lassen 10
Bruun 10
Kjeldsen 10
Bach 10
Carlsen 10
Andresen 9
Thygesen 9
Lauritsen 9
Villadsen 9
Gregersen 9
Friis 9
Mathiesen 9
Berg 9
Danielsen 8
Toft 8
Overgaard 8
Enevoldsen 8
Ravn 8
Hedegaard 8
Mathiasen 7.5
Bak 7.5
Dahl 7.5
Winther 7.5
Sommer 7
Kjærgaard 7
Storm 7
Koch 7
Brandt 7
Krogh 6.8
Juhl 6.8
Hermansen 6.7
Bech 6.6
Lindberg 6.5
Ibsen 6.4
Holst 6.4
Juul 6.3
Klausen 6.2
Thorsen 6.2
Mølgaard 6
Pallesen 6
Steffensen 5.9
Kirkegaard 5.8
Schou 5.7
Frandsen 5.6
Sloth 5.5
Hvid 5.5
Bang 5.4
Riis 5.3
Gade 5.2
Kruse 5.2
Lorentzen 5.1
Ebbesen 5
Aagaard 3
Abildgaard 2.5
Agerskov 1
Albertsen 3
Bager 2
Bay 1.5
Beck 3
Bisgaard 3
Bonde 2
Borg 2
Borup 2
Brix 2.5
Buch 2.5
Busk 2
Dalsgaard 3
Damgaard 4
Degn 1.5
Due 2.5
Egelund 1.5
Elkjær 2
Engberg 1.5
Eskildsen 3
Fabricius 1
Fisker 2
Fogh 2
Frost 3
Gammelgaard 2
Gormsen 1.5
Gravesen 2.5
Grøn 2.5
Hald 2.5
Hauge 2.5
Hein 2
Hjorth 3
Husted 2
Højer 1.5
Isaksen 2
Kirk 2
Kjeldgaard 2
Kloster 1.5
Kock 2
Krag 2
Kvist 2
Lange 2.5
Leth 2
Linde 1.5
Lykke 2
Lyngsø 1.5
Markussen 2.5
Meldgaard 1.5
Munk 3
Mørch 2
Nyborg 2
Nørregaard 2
Obel 1
Paulsen 3
Post 1.5
Pilgaard 1.5
Qvist 2
Rosenberg 2
Rytter 1
Schultz 3
Skytte 1.5
Stokholm 1.5
Sand 2
Svane 1
Tang 2
Tranberg 1.5
Thuesen 2
Ulrich 1.5
Vad 1
Valentin 1
Vinther 3
Wulff 2
Ørum 1.5
Bundgaard 3
Kragh 2.5
Mouritsen 3
Nicolaisen 3
Rask 2.5
Termansen 1.5
Wind 1.5
Ploug 1
Buus 2
Hvidberg 1
Bendtsen 3
Dyrberg 1
Ahmed 7
Ali 6.5
Hussein 4
Jakobsson 1
"""

_SURNAME_ROWS = _table(_SURNAMES, 1)
_SURNAME = Picker([n for n, _ in _SURNAME_ROWS], [w[0] for n, w in _SURNAME_ROWS])


def surname(rng: random.Random) -> str:
    """One Danish surname, by national frequency."""
    return _SURNAME(rng)


# --- middle names -----------------------------------------------------------------------------

_MIDDLES = """
Holm 10
Skov 9
Lund 9
Bach 6
Dam 6
Juul 6
Kjær 6
Krogh 5
Bech 5
Vestergaard 5
Østergaard 5
Nørgaard 4
Søndergaard 4
Toft 4
Friis 4
Møller 5
Berg 4
Dahl 4
Bak 3
Ravn 3
Storm 3
Winther 3
Sommer 3
Hvid 3
Bang 3
Riis 3
Kirk 2
Lykke 3
Munk 2
Frost 2
Brix 2
Bonde 2
Due 2
Grøn 2
Hald 2
Krag 2
Lange 2
Leth 2
Linde 2
Post 1
Qvist 2
Sand 2
Svane 1
Tang 2
Vinther 2
Ørum 1
Vad 1
Kruse 2
Gade 2
Buch 2
Busk 2
Nygaard 3
Damgaard 3
Hedegaard 3
Overgaard 3
Kjærgaard 3
Bisgaard 2
Aagaard 2
Skytte 1
Stokholm 1
"""

_MIDDLE_ROWS = _table(_MIDDLES, 1)
_MIDDLE = Picker([n for n, _ in _MIDDLE_ROWS], [w[0] for n, w in _MIDDLE_ROWS])


def middle_name(rng: random.Random) -> str:
    """A surname-like middle name (mellemnavn)."""
    return _MIDDLE(rng)


# --- foreign names ----------------------------------------------------------------------------
# Group -> (female first names, male first names, surnames), uniform within each list.

FOREIGN_GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "pl": (
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Aleksandra", "Ewa",
         "Marta", "Karolina", "Natalia", "Paulina", "Justyna", "Malgorzata", "Barbara", "Zofia",
         "Julia", "Maja"),
        ("Piotr", "Krzysztof", "Tomasz", "Pawel", "Michal", "Marcin", "Lukasz", "Jakub", "Adam",
         "Mateusz", "Kamil", "Grzegorz", "Dawid", "Bartosz", "Rafal", "Wojciech", "Szymon", "Jan"),
        ("Nowak", "Kowalski", "Wisniewski", "Wójcik", "Kowalczyk", "Kaminski", "Lewandowski",
         "Zielinski", "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur",
         "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski"),
    ),
    "ro": (
        ("Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Ana", "Alexandra", "Cristina",
         "Gabriela", "Diana", "Roxana", "Raluca"),
        ("Ion", "Andrei", "Alexandru", "Mihai", "Gheorghe", "Constantin", "Florin", "Adrian",
         "Stefan", "Cristian", "Marius", "Bogdan", "Ionut", "Daniel", "Vasile"),
        ("Popescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
         "Ciobanu", "Rusu", "Munteanu", "Moldovan", "Ionescu", "Constantin", "Serban", "Lazar"),
    ),
    "bg": (
        ("Maria", "Ivana", "Elena", "Desislava", "Galina", "Petya", "Teodora", "Yana", "Nikol"),
        ("Georgi", "Ivan", "Dimitar", "Nikolay", "Petar", "Hristo", "Stoyan", "Todor", "Aleksandar"),
        ("Ivanov", "Georgiev", "Dimitrov", "Petrov", "Nikolov", "Hristov", "Stoyanov", "Todorov",
         "Iliev"),
    ),
    "ua": (
        ("Olena", "Oksana", "Tetiana", "Natalia", "Iryna", "Yulia", "Anastasiia", "Kateryna",
         "Svitlana", "Viktoriia", "Mariia", "Sofiia", "Daria", "Alina"),
        ("Oleksandr", "Andrii", "Serhii", "Volodymyr", "Dmytro", "Mykola", "Ivan", "Vasyl", "Yurii",
         "Maksym", "Artem", "Denys", "Bohdan"),
        ("Melnyk", "Shevchenko", "Boiko", "Kovalenko", "Bondarenko", "Tkachenko", "Kovalchuk",
         "Kravchenko", "Oliinyk", "Shevchuk", "Polishchuk", "Lysenko", "Moroz", "Savchenko"),
    ),
    "ar": (
        ("Fatima", "Aisha", "Mariam", "Nour", "Hiba", "Rania", "Layla", "Amal", "Sara", "Yasmin",
         "Huda", "Zainab", "Lina", "Rasha", "Salma", "Dima", "Reem"),
        ("Mohammad", "Ahmad", "Ali", "Omar", "Khaled", "Hassan", "Hussein", "Mahmoud", "Yousef",
         "Ibrahim", "Abdullah", "Mustafa", "Samir", "Karim", "Bilal", "Adnan", "Rami", "Tarek"),
        ("Ahmad", "Ali", "Hassan", "Hussein", "Mohammad", "Khalil", "Ibrahim", "Haddad", "Saleh",
         "Omar", "Yousef", "Abdallah", "Mahmoud", "Al-Ahmad", "Darwish", "Nasser", "Mansour",
         "Saeed", "Hamdan"),
    ),
    "tr": (
        ("Ayse", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Özlem", "Esra", "Derya",
         "Hülya", "Sevgi", "Büsra", "Melek"),
        ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "Ibrahim", "Ismail", "Murat",
         "Emre", "Yusuf", "Ömer", "Kemal", "Serkan", "Burak", "Osman"),
        ("Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Yildirim", "Öztürk", "Aydin",
         "Özdemir", "Arslan", "Dogan", "Kilic", "Aslan", "Cetin", "Kara", "Koc", "Kurt"),
    ),
    "de": (
        ("Anna", "Julia", "Laura", "Sarah", "Lisa", "Katharina", "Sabine", "Petra", "Claudia",
         "Stefanie", "Sandra", "Nicole", "Andrea", "Christina", "Ursula", "Monika", "Lena",
         "Leonie", "Hannah"),
        ("Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel",
         "Tobias", "Jan", "Sebastian", "Florian", "Matthias", "Jürgen", "Klaus", "Wolfgang",
         "Lukas", "Jonas", "Felix", "Maximilian"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
         "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann"),
    ),
    "se": (
        ("Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Emma", "Elin", "Johanna",
         "Linnea", "Malin", "Ebba", "Elsa", "Maja", "Frida", "Ida", "Sofia", "Wilma", "Astrid"),
        ("Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Jonas", "Fredrik", "Magnus",
         "Oskar", "Gustav", "Axel", "Hugo", "Filip", "Viktor", "Björn", "Mattias", "Nils", "Olof"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
         "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
         "Bengtsson", "Lindberg", "Lindqvist", "Berg", "Lindström", "Sjöberg"),
    ),
    "no": (
        ("Ingrid", "Kari", "Anne", "Marit", "Hilde", "Silje", "Ida", "Nora", "Emma", "Ingeborg",
         "Sigrid", "Tone", "Randi", "Marte", "Kristin", "Guðrún", "Sigríður"),
        ("Ole", "Lars", "Jan", "Per", "Bjørn", "Knut", "Arne", "Kjetil", "Geir", "Morten", "Jon",
         "Magnus", "Henrik", "Sindre", "Eirik", "Håkon", "Gunnar"),
        ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
         "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Bakke",
         "Solberg", "Dahl", "Lie", "Jónsson"),
    ),
    "fi": (
        ("Anna", "Maria", "Aino", "Helmi", "Sanna", "Laura", "Johanna", "Tiina", "Päivi"),
        ("Juha", "Mikko", "Jari", "Timo", "Antti", "Matti", "Pekka", "Ville"),
        ("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Koskinen"),
    ),
    "en": (
        ("Sarah", "Emma", "Emily", "Jessica", "Hannah", "Laura", "Rebecca", "Charlotte", "Sophie",
         "Olivia", "Amy", "Lucy", "Jennifer", "Elizabeth", "Katherine", "Rachel"),
        ("James", "John", "David", "Michael", "Robert", "William", "Thomas", "Daniel", "Matthew",
         "Christopher", "Andrew", "Paul", "Mark", "Richard", "Benjamin", "Samuel"),
        ("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans", "Johnson",
         "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Miller",
         "Clarke", "Murphy", "Kelly"),
    ),
    "nl": (
        ("Anne", "Lotte", "Sanne", "Femke", "Eva", "Sophie", "Lieke", "Anouk", "Marieke"),
        ("Jan", "Pieter", "Daan", "Sem", "Bram", "Thijs", "Ruben", "Joost", "Maarten"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit",
         "Meijer", "Peeters", "Maes"),
    ),
    "it": (
        ("Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina", "Alessandra", "Elena",
         "Federica", "Silvia", "Giorgia", "Anna"),
        ("Marco", "Andrea", "Luca", "Alessandro", "Giuseppe", "Francesco", "Matteo", "Lorenzo",
         "Davide", "Simone", "Stefano", "Giovanni"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
         "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa"),
    ),
    "es": (
        ("María", "Laura", "Ana", "Lucía", "Marta", "Carmen", "Paula", "Sara", "Elena", "Cristina",
         "Andrea", "Beatriz", "Mariana", "Juliana"),
        ("Javier", "David", "Daniel", "Carlos", "Alejandro", "Pablo", "Manuel", "Jorge", "Miguel",
         "Sergio", "Antonio", "João", "Pedro", "Tiago"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
         "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Silva", "Santos", "Ferreira"),
    ),
    "fr": (
        ("Marie", "Camille", "Julie", "Léa", "Manon", "Chloé", "Sophie", "Claire", "Lucie", "Emma"),
        ("Pierre", "Nicolas", "Julien", "Thomas", "Antoine", "Alexandre", "Maxime", "Guillaume",
         "Louis", "Hugo"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
         "Moreau", "Simon", "Laurent", "Lefebvre", "Michel"),
    ),
    "lt": (
        ("Ieva", "Greta", "Rasa", "Jurgita", "Agne", "Laura", "Egle", "Kristina", "Ruta", "Vilma",
         "Inese", "Liga"),
        ("Tomas", "Mantas", "Darius", "Jonas", "Andrius", "Marius", "Paulius", "Lukas", "Vytautas",
         "Rokas", "Janis", "Andris"),
        ("Kazlauskas", "Jankauskas", "Petrauskas", "Stankevicius", "Vasiliauskas", "Zukauskas",
         "Butkus", "Paulauskas", "Urbonas", "Kavaliauskas", "Berzins", "Kalnins", "Ozols"),
    ),
    "hu": (
        ("Zsófia", "Katalin", "Eszter", "Anna", "Réka", "Nóra", "Ildikó", "Ivana", "Marija", "Jelena"),
        ("László", "István", "Gábor", "Zoltán", "Péter", "Attila", "Milan", "Dragan", "Nikola"),
        ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Novák", "Horák", "Jovanovic",
         "Petrovic", "Hodzic", "Kovacevic"),
    ),
    "in": (
        ("Priya", "Anjali", "Pooja", "Neha", "Divya", "Sneha", "Kavya", "Lakshmi", "Deepika",
         "Shreya", "Ayesha", "Sana"),
        ("Rahul", "Amit", "Rohit", "Vikram", "Arjun", "Suresh", "Rajesh", "Anil", "Sanjay",
         "Karthik", "Aditya", "Imran", "Usman"),
        ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Rao", "Iyer", "Nair", "Mehta",
         "Shah", "Joshi", "Khan", "Malik", "Butt"),
    ),
    "ph": (
        ("Maria", "Jennifer", "Mary Grace", "Kristine", "Angelica", "Rowena", "Marites", "Jocelyn",
         "Lourdes"),
        ("Jose", "John Paul", "Mark", "Michael", "Christian", "Ramon", "Angelo", "Jerome"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos",
         "Villanueva", "Aquino", "Castillo"),
    ),
    "fa": (
        ("Fatemeh", "Zahra", "Maryam", "Masoumeh", "Shabnam", "Parisa", "Nargis", "Laleh", "Soraya",
         "Farzana"),
        ("Ahmad", "Mohammad", "Ali", "Reza", "Hamid", "Mahdi", "Hossein", "Javad", "Farid", "Omid",
         "Navid"),
        ("Ahmadi", "Mohammadi", "Hosseini", "Rezaei", "Karimi", "Hashemi", "Rahimi", "Sadeghi",
         "Moradi", "Jafari", "Noori", "Habibi"),
    ),
    "so": (
        ("Amina", "Fadumo", "Hodan", "Sahra", "Asha", "Ifrah", "Khadija", "Hawa", "Ayan", "Nasra",
         "Selam", "Helen"),
        ("Abdi", "Mohamed", "Ahmed", "Hassan", "Abdullahi", "Omar", "Ali", "Yusuf", "Ismail",
         "Abdirahman", "Yonas", "Dawit"),
        ("Mohamed", "Ahmed", "Hassan", "Ali", "Abdi", "Omar", "Warsame", "Farah", "Jama",
         "Hussein", "Osman", "Aden", "Tesfay", "Gebremariam"),
    ),
    "cn": (
        ("Li", "Wei", "Fang", "Xiu Ying", "Na", "Min", "Jing", "Yan", "Hui"),
        ("Wei", "Jun", "Lei", "Jie", "Tao", "Ming", "Hao", "Yang", "Peng"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"),
    ),
    "vn": (
        ("Thi Lan", "Thi Huong", "Thi Mai", "Thi Hoa", "Ngoc Anh", "Thu Trang", "Siriporn",
         "Malee", "Kanya", "Pornthip", "Wanida"),
        ("Van Minh", "Van Hung", "Duc Anh", "Quang Huy", "Van Nam", "Minh Tuan", "Somchai",
         "Somsak", "Prasert"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do", "Saetang",
         "Srisuk", "Boonmee"),
    ),
}

_FEMALE_FORMS = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))


def foreign_first_name(group: str, sex: str, rng: random.Random) -> str:
    """A first name of the language ``group`` for ``sex`` ('M'/'K')."""
    female, male, _ = FOREIGN_GROUPS[group]
    names = female if sex == "K" else male
    return names[int(rng.random() * len(names))]


def foreign_surname(group: str, sex: str, rng: random.Random) -> str:
    """A surname of the language ``group``, in the form used for ``sex`` where the language has two."""
    names = FOREIGN_GROUPS[group][2]
    name = names[int(rng.random() * len(names))]
    return feminine(group, name) if sex == "K" else name


def feminine(group: str, name: str) -> str:
    """The feminine form of a surname in languages that inflect surnames by sex."""
    if group == "pl":
        for masc, fem in _FEMALE_FORMS:
            if name.endswith(masc):
                return name[: -len(masc)] + fem
    elif group == "bg" and name.endswith("v"):
        return name + "a"
    elif group == "lt" and name[-2:] in ("as", "is", "us"):
        return name[:-2] + "iene"
    return name
