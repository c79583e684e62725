"""French, German and Spanish articles: planted in English sources for language ID to drop."""

from __future__ import annotations

from platform_assets.cli.demo_data.prose import compile_templates, fill
from platform_assets.cli.demo_data.rng import FastRandom


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines())


LANGUAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "NP": _lines("""la ville
            le projet
            la maison
            le marché
            la rivière
            le jardin
            la bibliothèque
            le village
            la famille
            le musée
            la région
            le gouvernement
            la cuisine
            le voyage
            la montagne
            le quartier
            la recherche
            le travail
            la saison
            le festival"""),
        "V": tuple("""présente améliore protège décrit attire accueille soutient transforme explique
            organise développe change observe partage prépare""".split()),
        "A": tuple("""nouveau célèbre ancien important magnifique populaire tranquille moderne
            traditionnel agréable""".split()),
        "C": ("Lyon", "Marseille", "Bordeaux", "Toulouse", "Nantes", "Lille", "Strasbourg", "Rennes"),
        "T": _lines("""Depuis plusieurs années, {NP} {V} {NP} avec beaucoup de succès.
            Selon les habitants de {C}, {NP} est vraiment {A} et il faut le voir.
            Nous avons visité {NP} pendant les vacances, et nous avons adoré {NP}.
            Il est souvent difficile de comprendre pourquoi {NP} {V} toujours {NP}.
            Chaque année, des milliers de personnes viennent à {C} pour découvrir {NP}.
            Le maire de {C} a expliqué que {NP} sera ouvert au public dès le printemps.
            Cependant, {NP} ne {V} pas {NP} comme prévu.
            Pour les enfants, {NP} est une occasion unique de jouer et d'apprendre.
            Il faut dire que {NP} de {C} est plus {A} que celui de notre région.
            En outre, {NP} {V} aussi {NP} et les visiteurs en sont très contents."""),
    },
    "de": {
        "NP": _lines("""die Stadt
            das Projekt
            das Haus
            der Markt
            der Fluss
            der Garten
            die Bibliothek
            das Dorf
            die Familie
            das Museum
            die Region
            die Regierung
            die Küche
            die Reise
            der Berg
            die Schule
            die Forschung
            die Arbeit
            das Wetter
            das Fest"""),
        "V": tuple("""zeigt verbessert schützt beschreibt verändert erklärt organisiert entwickelt
            beobachtet teilt unterstützt begrüßt""".split()),
        "A": tuple("""neu bekannt alt wichtig schön beliebt ruhig modern traditionell
            angenehm""".split()),
        "C": ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden"),
        "T": _lines("""Seit einigen Jahren {V} {NP} auch {NP} mit großem Erfolg.
            Nach Meinung der Bewohner von {C} ist {NP} wirklich {A} und sehr sehenswert.
            Wir haben {NP} in den Ferien besucht und waren von {NP} begeistert.
            Es ist oft schwer zu verstehen, warum {NP} immer noch so {A} ist.
            Jedes Jahr kommen tausende Menschen nach {C}, um {NP} zu entdecken.
            Der Bürgermeister von {C} hat erklärt, dass {NP} im Frühling geöffnet wird.
            Allerdings {V} {NP} nicht, wie es eigentlich geplant war.
            Für die Kinder ist {NP} eine gute Gelegenheit, zu spielen und zu lernen.
            Man muss sagen, dass {NP} in {C} viel {A} ist als bei uns.
            Außerdem {V} {NP} auch {NP}, und die Besucher sind sehr zufrieden."""),
    },
    "es": {
        "NP": _lines("""la ciudad
            el proyecto
            la casa
            el mercado
            el río
            el jardín
            la biblioteca
            el pueblo
            la familia
            el museo
            la región
            el gobierno
            la cocina
            el viaje
            la montaña
            el barrio
            la investigación
            el trabajo
            la temporada
            la fiesta"""),
        "V": tuple("""presenta mejora protege describe atrae recibe apoya transforma explica
            organiza desarrolla cambia observa comparte prepara""".split()),
        "A": tuple("""nuevo famoso antiguo importante precioso popular tranquilo moderno
            tradicional agradable""".split()),
        "C": ("Madrid", "Sevilla", "Valencia", "Bilbao", "Granada", "Zaragoza", "Málaga", "Salamanca"),
        "T": _lines("""Desde hace varios años, {NP} {V} {NP} con mucho éxito.
            Según los vecinos de {C}, {NP} es realmente {A} y hay que verlo.
            Visitamos {NP} durante las vacaciones y nos encantó {NP}.
            A menudo es difícil entender por qué {NP} todavía {V} {NP}.
            Cada año, miles de personas llegan a {C} para descubrir {NP}.
            El alcalde de {C} explicó que {NP} estará abierto al público en primavera.
            Sin embargo, {NP} no {V} {NP} como se esperaba.
            Para los niños, {NP} es una oportunidad única de jugar y aprender.
            Hay que decir que {NP} de {C} es más {A} que el de nuestra región.
            Además, {NP} también {V} {NP} y los visitantes están muy contentos."""),
    },
}

_COMPILED = {lang: compile_templates(spec["T"], spec) for lang, spec in LANGUAGES.items()}


def article(rng: FastRandom, lang: str, paragraphs: int | None = None) -> str:
    """Paragraphs of 4-6 sentences in `lang` (fr, de, es), 120-400 words."""
    templates = _COMPILED[lang]
    paras = []
    for _ in range(paragraphs or rng.randint(4, 8)):
        sentences = [fill(rng, rng.choice(templates)) for _ in range(rng.randint(4, 6))]
        paras.append(" ".join(s[0].upper() + s[1:] for s in sentences))
    return "\n\n".join(paras)
