"""The legal-aware pipeline and the grammar of obligation."""

from __future__ import annotations

import pytest

from clause_lint import grammar
from clause_lint.nlp import get_nlp


def sents(text: str) -> list[str]:
    return [s.text for s in get_nlp()(text).sents]


def test_abbreviations_and_clause_numbers_do_not_split() -> None:
    text = ("Under Sec. 4.2(b)(iii) of the U.S. Code, Acme Inc. and Beta Corp. agree, per Art. 5 and cl. 7 "
            "No. 3, to the terms, e.g. notice. The next sentence starts here.")
    assert sents(text) == [text[: text.index(" The next")], "The next sentence starts here."]
    tokens = [t.text for t in get_nlp()(text)]
    for kept in ("Sec.", "4.2(b)(iii)", "U.S.", "Inc.", "Corp.", "Art.", "cl.", "No.", "e.g."):
        assert kept in tokens, kept


def test_list_items_after_a_full_stop_start_sentences() -> None:
    assert sents("Customer shall not use it. (b) Nor sell it.") == ["Customer shall not use it.", "(b) Nor sell it."]
    assert sents("See clause 4. of the schedule.") == ["See clause 4. of the schedule."]


def test_lemmas_ignore_case() -> None:
    doc = get_nlp()("Weapons Systems SURVEILLANCE targeting")
    assert [t.lemma_ for t in doc] == ["weapon", "system", "surveillance", "target"]


def test_semicolons_split_tokens() -> None:
    assert [t.text for t in get_nlp()("this Section;(x) use")][:4] == ["this", "Section", ";", "(x"]


def force_of(text: str) -> list[tuple[str, bool, str]]:
    return [(c.force, c.binding, c.text) for c in grammar.find_cues(get_nlp()(text))]


@pytest.mark.parametrize(
    ("text", "force", "binding", "cue"),
    [
        ("Customer shall not use it.", "prohibition", True, "shall not"),
        ("Customer must not use it.", "prohibition", True, "must not"),
        ("Licensee may not use it.", "prohibition", True, "may not"),
        ("You won't use it.", "prohibition", True, "won't"),
        ("Customer agrees not to use it.", "prohibition", True, "agrees not to"),
        ("Customer is not permitted to use it.", "prohibition", True, "is not permitted"),
        ("Such use is prohibited.", "prohibition", True, "is prohibited"),
        ("Customer shall refrain from using it.", "prohibition", True, "shall refrain from"),
        ("Under no circumstances may Customer use it.", "prohibition", True, "Under no circumstances may"),
        ("In no event shall Customer use it.", "prohibition", True, "In no event shall"),
        ("No Customer shall use it.", "prohibition", True, "No Customer shall"),
        ("Customers should not use it.", "prohibition", False, "should not"),
        ("Customers should refrain from using it.", "prohibition", False, "should refrain from"),
        # an inverted condition is no advice: the permission after it is the clause's force
        ("Should the Customer breach it, Provider may suspend access.", "permission", True, "may"),
        ("The project must not be used to harm.", "prohibition", True, "must not be used"),
        ("The Software is not intended for use in weapons.", "prohibition", False, "is not intended for"),
        ("Customer shall use it.", "obligation", True, "shall"),
        ("Customer is required to use it.", "obligation", True, "is required to"),
        ("We encourage customers to use it.", "obligation", False, "encourage"),
        ("Provider strives to test it.", "obligation", False, "strives"),
        ("We work to make it fair for everyone.", "obligation", False, "We work to"),
        ("The licence granted in Section 2 extends to use by the armed forces.", "permission", True, "licence granted in Section 2 extends to"),
        ("Provider believes in testing it.", "obligation", False, "believes in"),
        ("Provider shall not object to its publication.", "permission", True, "shall not object"),
        ("Provider shall not restrict any researcher from testing it.", "permission", True, "shall not restrict any researcher from"),
        ("Customer may use it.", "permission", True, "may"),
        ("Customer is entitled to use it.", "permission", True, "is entitled"),
        ("Customer shall be entitled to terminate it.", "permission", True, "shall be entitled"),
        ("Provider will also be permitted to audit it.", "permission", True, "will also be permitted"),
        ("Provider reserves the right to audit.", "permission", True, "reserves the right"),
        ("Nothing in this Agreement restricts Customer from testing.", "permission", True, "Nothing in this Agreement restricts"),
        ("Provider shall not be liable for any use.", "disclaimer", True, "shall not be liable"),
        ("Provider has no obligation to monitor use.", "disclaimer", True, "has no obligation"),
    ],
)
def test_deontic_force(text: str, force: str, binding: bool, cue: str) -> None:
    found = [c for c in force_of(text) if c[0] != grammar.NEUTRAL]
    assert found, text
    assert found[0] == (force, binding, cue), found


@pytest.mark.parametrize(
    "text",
    [
        "including but not limited to weapons",
        "without limitation, weapons",
        "no later than thirty days",
        "whether or not the Customer agrees",
    ],
)
def test_pseudo_negation_is_not_a_prohibition(text: str) -> None:
    assert all(force != "prohibition" for force, _, _ in force_of(text)), force_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "Either party may end the engagement at will under Section 12.",
        "The Customer signs of its own free will.",
    ],
)
def test_will_as_a_noun_is_no_obligation(text: str) -> None:
    assert all(cue.lower() != "will" for _, _, cue in force_of(text)), force_of(text)
    assert [c for _, _, c in force_of("Provider will audit the use.")] == ["will"]


def test_a_statement_of_practice_needs_a_verb() -> None:
    assert ("obligation", False, "tests") in force_of("The Vendor tests each model for bias.")
    # the means of watching over use, stated: "uses … to detect" (not what cookies are used for)
    assert ("obligation", False, "detect") in force_of("Provider uses automated tools to detect misuse.")
    assert ("obligation", False, "monitor") in force_of("We use human reviewers to monitor compliance.")
    assert not [c for c in force_of("We use cookies to remember your settings.") if c[0] != grammar.NEUTRAL]
    # "the Vendor test results": a noun compound, no statement of what the Vendor does
    assert not [c for c in force_of("Customer shall obtain the Vendor test results.") if c[2] == "test"]


def test_a_request_in_a_relative_clause_says_who_not_what_is_asked() -> None:
    # "Guests who ask not to be enrolled": the guests described; the ban after it binds
    cues = force_of("Guests who ask not to be enrolled shall not be enrolled.")
    assert [(f, b) for f, b, _t in cues if f != grammar.NEUTRAL] == [("prohibition", True)], cues
    assert ("prohibition", False, "ask users not to") in force_of("We ask users not to upload photos of others.")


def test_an_attempt_coordinated_with_a_binding_cue_is_part_of_it() -> None:
    # "or seek to use" is what the ban covers, not advice beside it
    assert [f for f, _b, _t in force_of("Customer shall not use, or seek to use, the Service.") if f != grammar.NEUTRAL] == ["prohibition"]
    assert ("obligation", False, "seek") in force_of("Customer should seek to test it.")


def test_a_permission_verb_under_a_ban_is_its_object() -> None:
    cues = force_of("Customer shall not (i) resell it or (ii) permit reverse engineering.")
    assert [c[0] for c in cues] == ["prohibition"]


def test_carve_outs_and_conditions() -> None:
    doc = get_nlp()("Unless Provider consents in writing, Customer shall not use it if the law forbids it.")
    spans = grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents])
    assert [(s.kind, s.text) for s in spans] == [
        ("carve", "Unless Provider consents in writing"),
        ("condition", "if the law forbids it"),
    ]


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        # openers that state a condition first (UK drafting), closed by a comma …
        ("Where Customer breaches Section 4, Provider may terminate this Agreement.", "Where Customer breaches Section 4"),
        ("To the extent required by law, Customer shall give notice.", "To the extent required by law"),
        ("Insofar as the law permits, Provider may suspend access.", "Insofar as the law permits"),
        # … or, with no comma, by the subject of the main clause's cue
        ("When you share the Dataset you may not add restrictions.", "When you share the Dataset"),
        ("If the Licensee resells the Software the Licensee shall pass on these terms.", "If the Licensee resells the Software"),
        # "only" before if/where/after/with … opens a condition the main clause must meet
        ("Customer may scan faces only after posting signs at each entrance.", "only after posting signs at each entrance"),
        ("Police users may run a search only where a judge has issued a warrant.", "only where a judge has issued a warrant"),
        ("Customer may enrol a face only with that employee's signed consent.", "only with that employee's signed consent"),
        ("Access continues only so long as Customer complies with Section 4.", "only so long as Customer complies with Section 4"),
    ],
)
def test_a_condition_and_where_it_ends(text: str, condition: str) -> None:
    assert _carve_outs(text) == [("condition", condition)]


def _carve_outs(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each carve-out and condition of ``text``, found as the engine does."""
    doc = get_nlp()(text)
    cues = [c.start for c in grammar.find_cues(doc)]
    return [(s.kind, s.text) for s in grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents], cues)]


def test_where_inside_a_sentence_is_no_condition() -> None:
    doc = get_nlp()("Customer shall not use the Service at premises where children are present.")
    assert grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents]) == []


def test_only_with_whom_is_no_condition() -> None:
    # "only with its employees" names whom it goes to; no condition is set
    assert _carve_outs("Customer may share face templates only with its own employees.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The Recipient may buy a system only if its algorithm has been evaluated by NIST.",
        "A model may be released only after it has been submitted to NIST.",
        "Customer shall not enrol a face unless the person is told first.",
    ],
)
def test_a_statement_of_practice_inside_a_condition_states_nothing(text: str) -> None:
    assert not [c for c in force_of(text) if c[0] == "obligation" and not c[1]], force_of(text)


@pytest.mark.parametrize(
    ("text", "binding"),
    [
        # a party's warranty that it was done binds the party to the fact ...
        ("The Contractor warrants that the algorithm supplied has been evaluated in NIST's evaluation.", True),
        ("Vendor represents and warrants to Customer that each model has been tested for bias.", True),
        # ... a disclaimer of one does not, and a plain statement stays a statement
        ("Vendor does not warrant that the model has been tested for bias.", False),
        ("The model has been evaluated by an independent laboratory.", False),
    ],
)
def test_a_warranted_statement_of_practice_binds(text: str, binding: bool) -> None:
    practice = [c for c in force_of(text) if c[0] == "obligation" and c[2] in ("evaluated", "tested")]
    assert [c[1] for c in practice] == [binding], force_of(text)


@pytest.mark.parametrize(
    ("text", "binding"),
    [
        ("We test every release for bias and will keep doing so.", True),
        ("We test every release for bias and will continue to do so.", True),
        ("We test every release for bias and will keep adding features.", False),
    ],
)
def test_a_statement_of_practice_promised_to_go_on_binds(text: str, binding: bool) -> None:
    assert [c[1] for c in force_of(text) if c[2] == "test"] == [binding], force_of(text)


def test_a_time_phrase_before_a_statement_of_practice_leaves_it_a_statement() -> None:
    # "Before each release" is a phrase, not a condition: what follows says what is done
    assert ("obligation", False, "measure") in force_of("Before each release we measure error rates by skin tone.")


@pytest.mark.parametrize(
    ("text", "force", "binding"),
    [
        ("It is a condition of every order that the agency publish its use.", "obligation", True),
        ("It is the Customer's responsibility to tell each visitor.", "obligation", True),
        ("It is not the Provider's responsibility to test the Service.", "disclaimer", True),
        ("Submission of each model to NIST is a continuing obligation of the Vendor.", "obligation", True),
        ("Use of the Service in any weapon is a material breach of this Agreement.", "prohibition", True),
        ("Fairness is one of the values that guide our design.", "obligation", False),
        ("We value fairness in everything we build.", "obligation", False),
    ],
)
def test_duties_and_bans_stated_as_nouns(text: str, force: str, binding: bool) -> None:
    assert [(f, b) for f, b, _t in force_of(text) if f != grammar.NEUTRAL] == [(force, binding)], force_of(text)


def _forces(text: str) -> list[str]:
    return [f for f, _b, _t in force_of(text) if f != grammar.NEUTRAL]


@pytest.mark.parametrize(
    ("text", "force"),
    [
        # plain-English contractions
        ("You're not allowed to use face search on strangers.", "prohibition"),
        ("It's against our rules to track people.", "prohibition"),
        ("They\u2019re responsible for every account they open.", "obligation"),
        # leave denied …
        ("Nothing in this Agreement permits Customer to track people.", "prohibition"),
        ("Customer shall at no time track people.", "prohibition"),
        ("At no time may Customer track people.", "prohibition"),
        # … and a promise not to stand in the way, which leaves what it names free
        ("Provider shall not prohibit or penalise any independent evaluation.", "permission"),
        # what a disclaimer withholds binds no one: the "will" of "gives no undertaking that it
        # will …" is the promise not given, and "Nothing … shall oblige or entitle" disowns the right with the duty
        ("The Supplier gives no undertaking that it will assess bias.", "disclaimer"),
        ("Nothing in this Agreement shall oblige or entitle the Supplier to act.", "disclaimer"),
    ],
)
def test_one_clause_one_force(text: str, force: str) -> None:
    assert _forces(text) == [force], force_of(text)


def test_acting_on_a_breach_is_no_condition() -> None:
    assert _carve_outs("Provider need not act on any breach of the rules.") == []
    assert [kind for kind, _t in _carve_outs("Provider may, upon any breach of the rules, suspend access.")] == ["condition"]


def test_what_the_product_allows_is_no_leave() -> None:
    assert _forces("The Service allows administrators to audit each search.") == []
    assert _forces("This Agreement permits Provider to audit each search.") == ["permission"]


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        ("Can immigration agents use the system? No.", [("prohibition", False)]),
        ("Will the cameras track people? No, never.", [("prohibition", False)]),
        # a question about a duty answered "No" says there is none
        ("Do police need a warrant to see the footage? No.", [("disclaimer", False)]),
        # "Yes", or no answer: a question still grants and bans nothing
        ("Can immigration agents use the system? Yes.", []),
        ("Can immigration agents use the system?", []),
    ],
)
def test_a_question_answered_no(text: str, answered: list) -> None:
    cues = grammar.find_cues(get_nlp()(text))
    assert [(c.force, c.binding) for c in cues if c.label == grammar.ANSWERED_NO] == answered
    # (the question's own modal stays out: only the answer speaks)
    assert not [c for c in cues if c.label != grammar.ANSWERED_NO and c.start < 6 and c.force != grammar.NEUTRAL]


def test_aim_is_an_aim_only_towards_something() -> None:
    assert ("obligation", False, "aim to") in force_of("We aim to test every model.")
    assert force_of("Do not help build or aim weapons.") == [("prohibition", True, "Do not")]


def test_a_phrase_carve_out_ends_where_the_clause_verb_begins() -> None:
    assert _carve_outs("Publication of results without Provider's consent is prohibited.") == [("carve", "without Provider's consent")]
    # a clause carve-out keeps its own verb
    assert _carve_outs("Customer shall not publish results unless Provider is notified first.") == [
        ("carve", "unless Provider is notified first")]


def test_a_carve_out_inside_another_is_the_same_carve_out() -> None:
    doc = get_nlp()("Customer may not, except with Provider's prior written consent, publish any benchmark results.")
    cues = [c.start for c in grammar.find_cues(doc)]
    spans = grammar.find_carve_outs(doc, [(s.start, s.end) for s in doc.sents], cues)
    assert [s.text for s in spans] == ["except with Provider's prior written consent"]


@pytest.mark.parametrize(
    "text",
    [
        "Can law enforcement agencies use the Service?",
        "Can the Sheriff's Office watch the camera feeds live",  # an FAQ heading that lost its "?"
        "May the Licensee use the Software for weapons development?",
    ],
)
def test_a_question_grants_and_bans_nothing(text: str) -> None:
    assert grammar.find_cues(get_nlp()(text)) == []


def test_an_inverted_condition_is_no_question() -> None:
    cues = grammar.find_cues(get_nlp()("Should the Customer breach Section 4, Provider may terminate this Agreement."))
    assert "permission" in [c.force for c in cues]
