"""Italian texts that reach the pages from data (status labels, section titles), listed so that
`pybabel extract` finds them; the templates translate them with `_()` at render time."""

from __future__ import annotations


def N_(text: str) -> str:  # the name Babel's extractor looks for
    return text


LABELS = (
    N_("Bozza"), N_("In attesa di pagamento"), N_("In attesa dell'esito di pagamento"),
    N_("Pagamento avvenuto con successo"), N_("Pagamento rifiutato"), N_("Inviata"), N_("Acquisita"),
    N_("Protocollata"), N_("Presa in carico"), N_("Richiesta integrazioni"), N_("In attesa di integrazioni"),
    N_("Integrazioni in attesa di protocollazione"), N_("Integrazioni protocollate"),
    N_("Presa in carico in seguito a integrazioni"),
    N_("Approvata, in attesa di protocollazione del documento di esito"), N_("Approvata"),
    N_("Parzialmente approvata"), N_("Rifiutata, in attesa di protocollazione del documento di esito"),
    N_("Rifiutata"), N_("Ritirata"), N_("Annullata"),
    N_("A chi è rivolto"), N_("Descrizione"), N_("Come fare"), N_("Cosa serve"), N_("Cosa si ottiene"),
    N_("Tempi e scadenze"), N_("Quanto costa"),
    N_("In bozza"), N_("Inviate"), N_("In elaborazione"), N_("Da integrare"), N_("Accettate"), N_("Rifiutate"),
    N_("Ritirate o annullate"),
    N_("Rinnovo"), N_("Interruzione"), N_("Sospensione"), N_("Modifica"), N_("Voltura"), N_("Subentro"),
    # booking steps and appointment statuses
    N_("Luogo"), N_("Data e orario"), N_("Dettagli appuntamento"), N_("Richiedente"), N_("Riepilogo"),
    N_("Da confermare"), N_("Confermato"), N_("Rifiutato"), N_("Non avvenuto"), N_("Avvenuto"), N_("Annullato"),
    N_("In corso di prenotazione"),
)
