"""English vocabulary for the demo prose: regular verbs, adjectives, nouns by topic, names and places.

Verbs are regular (no doubled consonants), so their inflections come from three spelling rules.
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


VERBS = _split("""
improve require support reduce increase affect change create describe develop explain explore include
involve maintain measure produce protect provide receive reflect represent review shape suggest test track
transform use visit consider discover examine follow handle manage observe prepare present publish record
remember report share study train watch welcome collect compare connect design encourage establish expand
finish gather highlight identify influence introduce limit monitor organize perform predict process promote
question reach replace request restore select simplify solve strengthen update value adapt analyze announce
approach assess balance calculate challenge clarify combine complete deliver demonstrate determine document
enable enhance ensure evaluate extend generate guide imagine inspire interpret investigate launch motivate
navigate outline recommend reinforce resolve sustain validate appreciate arrange attract avoid borrow
celebrate clean climb cook count cover deserve display enjoy explain fix form host invite join learn list
mention mix move notice offer open order paint pass pick pour print pull push rank rate repair repeat
rescue return save serve sign smell sort start stretch taste touch trace trade transport treat trust
visit wander warn wash waste wonder work worry
""")

ADJECTIVES = _split("""
local national small large early recent modern simple complex careful common rare useful practical
important difficult gentle quiet busy steady rapid gradual careful reliable affordable expensive fresh
seasonal traditional popular unusual detailed broad narrow careful patient curious thoughtful honest
public private rural urban coastal northern southern eastern western annual monthly weekly daily digital
physical natural chemical medical legal financial historical cultural social economic political regional
remarkable significant obvious subtle flexible durable lightweight heavy colorful bright dark warm cold
dry humid sunny windy familiar strange ancient clever quick slow healthy strong weak effective efficient
accurate consistent generous friendly skilled experienced independent official informal formal specific
general typical minor major central essential valuable affordable convenient comfortable crowded empty
""")

ADVERBS = _split("""
quickly slowly carefully gradually easily rarely often usually quietly clearly simply nearly mostly
largely partly widely closely directly steadily sharply gently regularly occasionally eventually recently
certainly probably surprisingly remarkably particularly especially significantly slightly considerably
""")

GENERAL_NOUNS = _split("""
community project decision question answer problem solution method result process approach system
program policy budget report schedule meeting group team member leader student teacher parent family
neighbor visitor customer worker company market price product service tool machine device material
resource building road bridge river forest garden field farm village city region country island coast
mountain valley lake season month week morning evening afternoon weekend holiday festival museum library
school hospital office kitchen restaurant shop station airport harbor factory laboratory workshop
experiment study survey article book chapter story letter message record document image photograph map
chart table list guide manual recipe lesson course class exercise habit routine goal plan idea theory
opinion argument reason cause effect change trend pattern difference level amount number rate share
quality feature detail example sample source factor risk benefit advantage challenge opportunity choice
option standard rule law court election campaign agency council committee organization association club
volunteer expert researcher scientist engineer designer farmer artist writer reader player coach
""")

TOPIC_NOUNS = {
    "gardening": _split("""soil seed tomato compost shovel greenhouse harvest orchard hedge flower bulb root
        leaf branch weed fertilizer mulch pepper cucumber lettuce herb seedling planter trellis hose sprinkler
        beetle worm pollinator blossom vine pumpkin squash carrot potato raspberry strawberry"""),
    "cooking": _split("""oven pan skillet onion garlic butter flour sauce broth spice salt pepper lemon
        dough pastry bread cheese noodle rice bean lentil soup stew salad dressing knife board
        marinade vinegar grill roast dessert cookie muffin pancake omelet"""),
    "history": _split("""empire kingdom treaty dynasty monarch army battle fortress castle cathedral
        merchant trader colony revolution parliament archive manuscript chronicle artifact coin monument
        ruin settlement pilgrim explorer voyage canal railway factory guild charter harbor"""),
    "technology": _split("""computer laptop network server database website browser application software
        sensor battery processor screen keyboard camera robot satellite cable signal antenna algorithm
        interface platform update password account backup storage printer charger router"""),
    "travel": _split("""passport ticket luggage suitcase hotel hostel train bus ferry flight airline
        museum beach hiking trail guidebook itinerary destination tourist landmark neighborhood market
        cafe souvenir currency visa border journey route cabin campsite viewpoint"""),
    "health": _split("""doctor nurse patient clinic vaccine diet exercise sleep heart lung muscle
        bone vitamin protein injury symptom treatment therapy medicine prescription appointment checkup
        posture stretching hydration fever allergy infection recovery workout"""),
    "finance": _split("""bank loan mortgage savings account interest investment stock bond fund
        portfolio budget expense income salary pension tax receipt invoice credit debt payment
        retirement insurance premium dividend inflation wallet"""),
    "science": _split("""planet star galaxy telescope molecule atom cell protein gene microscope
        experiment hypothesis sample fossil volcano earthquake glacier ocean current climate species
        ecosystem microbe virus enzyme crystal magnet orbit comet neutron particle"""),
    "sports": _split("""team coach player stadium match tournament league season goal referee
        racket ball bicycle marathon runner swimmer pool court field trophy medal training injury
        captain fan ticket score championship helmet jersey"""),
    "education": _split("""classroom student teacher lesson homework exam textbook curriculum
        lecture seminar tutor scholarship semester notebook library diploma assignment essay project
        principal campus course grade workshop reading vocabulary"""),
}

FIRST_NAMES = _split("""James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
    Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty
    Mark Sandra Donald Ashley Steven Emily Paul Donna Andrew Michelle Joshua Carol Kenneth Amanda Kevin
    Melissa Brian Deborah George Stephanie Timothy Rebecca Ronald Sharon Jason Laura Edward Cynthia Ryan
    Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma""")
LAST_NAMES = _split("""Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
    Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
    Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
    Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Turner Phillips Evans Collins Stewart Morris""")
PLACES = _split("""Boston Denver Portland Seattle Chicago Austin Atlanta Phoenix Dallas Houston Miami Detroit
    Toronto Vancouver Montreal London Manchester Dublin Edinburgh Sydney Melbourne Auckland Oslo Lisbon Prague
    Vienna Warsaw Budapest Helsinki Copenhagen Stockholm Nairobi Lagos Cairo Mumbai Delhi Singapore Manila
    Seoul Tokyo Osaka Lima Bogota Santiago Montevideo Quito Havana Kingston Reykjavik Tallinn Riga Vilnius""")


def third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def gerund(verb: str) -> str:
    return verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"


_IRREGULAR_PLURALS = {"leaf": "leaves", "knife": "knives", "tomato": "tomatoes", "potato": "potatoes",
                      "volcano": "volcanoes", "species": "species", "hypothesis": "hypotheses"}


def plural(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def article(word: str) -> str:
    vowel = word[0] in "aeiou" and not word.startswith(("use", "uni", "usu"))
    return ("an " if vowel else "a ") + word
