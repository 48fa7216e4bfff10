"""The allow-list of news bodies against the usual XSS payloads."""

import pytest

from crig.news.sanitise import html_to_text, plain_text, sanitise_html


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT><p>ok</p>", "<p>ok</p>"),
        ('<img src="x" onerror="alert(1)"><p>ok</p>', "<p>ok</p>"),
        (
            '<a href="javascript:alert(1)">lien</a>',
            '<a rel="noopener noreferrer">lien</a>',
        ),
        (
            '<a href="JaVaScRiPt:alert(1)">lien</a>',
            '<a rel="noopener noreferrer">lien</a>',
        ),
        (
            '<a href=" javascript:alert(1)">lien</a>',
            '<a rel="noopener noreferrer">lien</a>',
        ),
        (
            '<a href="jav&#x61;script:alert(1)">lien</a>',
            '<a rel="noopener noreferrer">lien</a>',
        ),
        (
            '<a href="jav&#09;ascript:alert(1)">lien</a>',
            '<a rel="noopener noreferrer">lien</a>',
        ),
        (
            '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>',
            '<a rel="noopener noreferrer">d</a>',
        ),
        # HTML parsing takes the paragraph out of the svg: kept, harmless.
        ('<svg onload="alert(1)"><p>x</p></svg>', "<p>x</p>"),
        ("<svg><script>alert(1)</script></svg><p>après</p>", "<p>après</p>"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "<p>x</p>"),
        ("<style>body{display:none}</style><p>x</p>", "<p>x</p>"),
        ('<iframe src="https://evil.example"></iframe><p>x</p>', "<p>x</p>"),
        ('<object data="x.swf"></object><embed src="x.swf">', ""),
        ('<p onclick="alert(1)" class="x" id="y">x</p>', "<p>x</p>"),
        ('<form action="https://evil.example"><input name="q"></form>', ""),
        ('<math><a xlink:href="javascript:alert(1)">x</a></math>', ""),
        ("<!-- <script>alert(1)</script> --><p>x</p>", "<p>x</p>"),
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        (
            '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
            '"&gt;',  # what is left is text
        ),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ""),
        ("<base href='https://evil.example/'><p>x</p>", "<p>x</p>"),
    ],
)
def test_payloads_are_neutralised(given, stored):
    assert sanitise_html(given) == stored


def test_the_allowed_markup_is_kept_and_links_get_rel():
    body = (
        "<h2>Titre</h2><h3>Sous-titre</h3><h4>Détail</h4>"
        "<p>Un <strong>texte</strong> <em>riche</em><br>à la ligne</p>"
        '<p><a href="https://cnig.gouv.fr/" title="CNIG" target="_blank">CNIG</a> '
        '<a href="mailto:crig@example.org">écrire</a> '
        '<a href="/actualites/1/">interne</a></p>'
        "<ul><li>un</li></ul><ol><li>deux</li></ol>"
        "<blockquote>cité</blockquote><pre><code>code</code></pre>"
        '<table><caption>T</caption><thead><tr><th scope="col">A</th></tr></thead>'
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table>'
    )

    assert sanitise_html(body) == (
        "<h2>Titre</h2><h3>Sous-titre</h3><h4>Détail</h4>"
        "<p>Un <strong>texte</strong> <em>riche</em><br>à la ligne</p>"
        '<p><a href="https://cnig.gouv.fr/" title="CNIG" rel="noopener noreferrer">'
        'CNIG</a> <a href="mailto:crig@example.org" rel="noopener noreferrer">écrire'
        '</a> <a href="/actualites/1/" rel="noopener noreferrer">interne</a></p>'
        "<ul><li>un</li></ul><ol><li>deux</li></ol>"
        "<blockquote>cité</blockquote><pre><code>code</code></pre>"
        '<table><caption>T</caption><thead><tr><th scope="col">A</th></tr></thead>'
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table>'
    )


def test_unknown_tags_are_dropped_but_their_text_kept():
    assert sanitise_html("<h1>Grand</h1><div><span>texte</span></div>") == (
        "Grandtexte"
    )


def test_a_forged_rel_is_replaced():
    assert sanitise_html('<a href="https://x.example" rel="opener">x</a>') == (
        '<a href="https://x.example" rel="noopener noreferrer">x</a>'
    )


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_nothing_stays_nothing(empty):
    assert sanitise_html(empty) == ""


def test_the_text_version_of_a_body():
    body = sanitise_html(
        '<p>Voir <a href="https://cnig.gouv.fr/">le site</a> &amp; '
        '<a href="https://cnig.gouv.fr/">https://cnig.gouv.fr/</a></p>'
        "<ul><li>un</li><li>deux</li></ul><p>fin</p>"
    )

    assert html_to_text(body) == (
        "Voir le site (https://cnig.gouv.fr/) & https://cnig.gouv.fr/\n"
        "- un\n- deux\n\nfin"
    )


def test_plain_text_of_titles():
    assert plain_text("  Un\ttitre\x00 sur\n deux lignes  ") == (
        "Un titre sur deux lignes"
    )
    assert plain_text("<b>gras</b>") == "<b>gras</b>"  # autoescaped where shown
