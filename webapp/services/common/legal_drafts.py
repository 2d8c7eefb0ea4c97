"""The drafts of an ente's privacy notice (GDPR arts. 13-14) and accessibility statement (AgID's model, WCAG 2.1
AA), in Italian, with the ente's name, fiscal code and contacts filled in from its settings.

A draft is what an ente without its own text shows, marked as a draft, until an administrator writes or
approves the text and publishes it. It is made when asked for, so it follows the contacts the administrator
fills in later; what is missing says so ("da completare") rather than inventing it.
"""

from __future__ import annotations

from html import escape

from flask import current_app

from webapp.models import Tenant

# The texts that have a draft, and the setting that says an administrator published the ente's own.
DRAFTED = ("privacy_text", "accessibility_text")


def published_key(key: str) -> str:
    return f"{key}_published"


def _missing(what: str) -> str:
    return f"<em>[da completare: {escape(what)}]</em>"


def _value(tenant: Tenant, key: str, what: str) -> str:
    value = tenant.setting(key)
    return escape(str(value)) if value else _missing(what)


def _mail(tenant: Tenant, key: str, what: str) -> str:
    value = tenant.setting(key)
    return f'<a href="mailto:{escape(value)}">{escape(value)}</a>' if value else _missing(what)


def _site(tenant: Tenant) -> str:
    return f"{str(current_app.config['PUBLIC_URL']).rstrip('/')}/{tenant.slug}/"


def _holder(tenant: Tenant) -> str:
    fiscal = f" (codice fiscale {escape(tenant.fiscal_code)})" if tenant.fiscal_code else ""
    return (f"<p>Il titolare del trattamento è <strong>{escape(tenant.name)}</strong>{fiscal}, con sede in "
            f"{_value(tenant, 'contact_address', 'indirizzo della sede')}; e-mail "
            f"{_mail(tenant, 'contact_email', 'e-mail')}, PEC {_mail(tenant, 'contact_pec', 'PEC')}, telefono "
            f"{_value(tenant, 'contact_phone', 'telefono')}.</p>")


def privacy_draft(tenant: Tenant) -> str:
    """The information notice of arts. 13 and 14 of Regulation (EU) 2016/679 for the ente's online services."""
    return "".join((
        "<p>Questa informativa descrive come sono trattati i dati personali di chi usa i servizi online di "
        f"{escape(tenant.name)}, ai sensi degli articoli 13 e 14 del Regolamento (UE) 2016/679 (GDPR).</p>",
        "<h2>Titolare del trattamento</h2>", _holder(tenant),
        "<h2>Responsabile della protezione dei dati</h2>",
        f"<p>Il Responsabile della protezione dei dati (RPD) si contatta all'indirizzo "
        f"{_mail(tenant, 'dpo_email', 'e-mail del Responsabile della protezione dei dati')}.</p>",
        "<h2>Finalità e base giuridica</h2>",
        "<p>I dati sono trattati per ricevere e istruire le richieste presentate online, comunicare con chi le "
        "presenta, gestire pagamenti e appuntamenti, protocollare e conservare i documenti. La base giuridica è "
        "l'esecuzione di un compito di interesse pubblico o connesso all'esercizio di pubblici poteri e "
        "l'adempimento di obblighi di legge (art. 6, par. 1, lett. c ed e, del GDPR), secondo le norme di "
        "ciascun servizio indicate nella sua scheda; per le categorie particolari di dati, l'art. 9, par. 2, "
        "lett. g, del GDPR e l'art. 2-sexies del D.Lgs. 196/2003.</p>",
        "<h2>Dati trattati e loro fonte</h2>",
        "<p>Dati anagrafici e di contatto, dati e documenti inseriti nei moduli, dati dell'identità digitale "
        "(SPID o CIE) trasmessi al momento dell'accesso. Quando un servizio lo prevede, alcuni dati sono "
        "acquisiti da altre pubbliche amministrazioni (per esempio l'Anagrafe nazionale della popolazione "
        "residente o l'INPS per l'ISEE) per non chiederli di nuovo (art. 14 del GDPR).</p>",
        "<h2>Obbligo di conferimento</h2>",
        "<p>I dati indicati come obbligatori nei moduli sono necessari per presentare la richiesta: senza di "
        "essi la richiesta non può essere istruita.</p>",
        "<h2>Destinatari</h2>",
        "<p>Il personale autorizzato dell'ente; i fornitori che gestiscono la piattaforma per conto dell'ente, "
        "nominati responsabili del trattamento (art. 28 del GDPR); PagoPA S.p.A. per i pagamenti e i messaggi "
        "sull'app IO; altre amministrazioni quando la legge lo prevede. I dati non sono diffusi, salvo gli "
        "obblighi di pubblicazione previsti dalla legge, e non sono trasferiti fuori dall'Unione europea.</p>",
        "<h2>Periodo di conservazione</h2>",
        "<p>Per il tempo necessario a concludere la pratica e poi per quello previsto dal piano di "
        "conservazione dei documenti dell'ente. Le richieste lasciate in bozza restano disponibili per almeno "
        "un anno, per poterle completare.</p>",
        "<h2>Decisioni automatizzate</h2>",
        "<p>Alcuni servizi applicano in automatico i requisiti stabiliti dalle norme o dal bando (per esempio "
        "una soglia ISEE). Puoi sempre chiedere che l'esito sia riesaminato da un operatore dell'ente.</p>",
        "<h2>Cookie</h2>",
        "<p>Il sito usa solo cookie tecnici, necessari al suo funzionamento (sessione e sicurezza). Non usa "
        "cookie di profilazione né cookie di terze parti.</p>",
        "<h2>Diritti</h2>",
        "<p>Puoi chiedere l'accesso ai tuoi dati, la rettifica, la cancellazione nei casi previsti, la "
        "limitazione del trattamento e opporti al trattamento (articoli 15-22 del GDPR), scrivendo al titolare "
        "o al Responsabile della protezione dei dati. Se ritieni che il trattamento violi il GDPR puoi proporre "
        'reclamo al <a href="https://www.garanteprivacy.it">Garante per la protezione dei dati personali</a> '
        "(art. 77 del GDPR).</p>",
    ))


def _feedback(tenant: Tenant) -> str:
    if url := tenant.setting("accessibility_feedback_url"):
        return f'compila il <a href="{escape(url)}">modulo per le segnalazioni sull\'accessibilità</a>'
    return f"scrivi a {_mail(tenant, 'contact_email', 'e-mail per le segnalazioni sull’accessibilità')}"


def accessibility_draft(tenant: Tenant, gaps: str | None = None) -> str:
    """The accessibility statement in the structure of AgID's model (form.agid.gov.it), for WCAG 2.1 AA; `gaps`
    (HTML) are the contents found not accessible, once the ente checked."""
    site = escape(_site(tenant))
    drafted = tenant.created_at.strftime("%d/%m/%Y") if tenant.created_at else _missing("data")
    gaps = gaps or "<p>" + _missing("i contenuti non accessibili trovati nella verifica (per esempio documenti PDF "
                                    "allegati non accessibili) e per ciascuno il motivo: inosservanza della legge, "
                                    "onere sproporzionato o contenuto escluso") + "</p>"
    return "".join((
        f"<p>{escape(tenant.name)} si impegna a rendere accessibile il proprio sito dei servizi digitali, "
        "conformemente alla legge 9 gennaio 2004, n. 4, e al decreto legislativo 10 agosto 2018, n. 106, che "
        "ha recepito la direttiva (UE) 2016/2102. Questa dichiarazione di accessibilità si applica al sito "
        f'<a href="{site}">{site}</a>.</p>',
        "<h2>Stato di conformità</h2>",
        "<p>Il sito è <strong>parzialmente conforme</strong> ai requisiti previsti dall'allegato A alla norma "
        "UNI CEI EN 301549 (WCAG 2.1, livello AA), per i contenuti indicati sotto.</p>",
        "<h2>Contenuti non accessibili</h2>",
        gaps,
        "<h2>Redazione della dichiarazione</h2>",
        f"<p>Dichiarazione redatta il {drafted} con un'autovalutazione: verifiche automatiche (axe-core) e "
        "manuali (tastiera, lettore di schermo, ingrandimento al 200%) delle pagine dei servizi. È aggiornata "
        "ogni anno entro il 23 settembre e pubblicata anche su "
        '<a href="https://form.agid.gov.it">form.agid.gov.it</a>.</p>',
        "<h2>Meccanismo di feedback e recapiti</h2>",
        f"<p>Per segnalare contenuti o funzioni non accessibili, o per chiedere i contenuti esclusi in una forma "
        f"accessibile, {_feedback(tenant)}. L'ente risponde entro 30 giorni.</p>",
        "<h2>Procedura di attuazione</h2>",
        "<p>Se la risposta non arriva entro 30 giorni o non è soddisfacente, puoi inviare una segnalazione "
        'all\'Agenzia per l\'Italia Digitale (AgID) tramite <a href="https://form.agid.gov.it">form.agid.gov.it</a>, '
        "secondo l'art. 3-quinquies, comma 3, della legge 4/2004.</p>",
        "<h2>Informazioni sul sito</h2>",
        "<p>Il sito segue il modello dei siti dei Comuni di Designers Italia ed è realizzato con Bootstrap "
        "Italia; è verificato con WCAG 2.1 livello AA su computer e telefono.</p>",
    ))


DRAFTS = {"privacy_text": privacy_draft, "accessibility_text": accessibility_draft}


def draft(tenant: Tenant, key: str) -> str:
    return DRAFTS[key](tenant)
