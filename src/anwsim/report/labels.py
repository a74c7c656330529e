"""Every word a report shows, in English and Dutch: one table, one lookup.

`t(key, lang, **values)` returns the text of ``key`` in ``lang`` (``"en"`` or ``"nl"``)
with ``{placeholders}`` filled in. A figure never spells out a label itself, so the two
languages cannot drift apart, and a test can check that every key has both.
Axis labels carry their unit in parentheses.
"""

from __future__ import annotations

import math
from typing import Any, Literal

Lang = Literal["en", "nl"]
LANGS: tuple[str, ...] = ("en", "nl")

TEXT: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ figure titles
    "title.access_time": (
        "Time from call to first doctor contact, by urgency",
        "Tijd tot het eerste contact met arts of ambulance, per urgentie",
    ),
    "title.within_norm": (
        "Patients seen within their NTS norm",
        "Patiënten gezien binnen de normtijd van hun NTS-urgentie",
    ),
    "title.phone": (
        "Telephone: answer time and abandonment",
        "Telefonische bereikbaarheid: wachttijd en afhakers",
    ),
    "title.workload": (
        "Utilisation by hour of the week and role",
        "Bezettingsgraad per uur van de week en functie",
    ),
    "title.capacity": (
        "Staffed and needed capacity over a regular week",
        "Ingeroosterde en benodigde capaciteit in een gewone week",
    ),
    "title.ambulance": (
        "Ambulance: response, incident to SEH, handoff",
        "Ambulance: responstijd, melding tot SEH, overdracht",
    ),
    "title.travel": (
        "Inhabitants by car travel time to the GP post",
        "Inwoners naar reistijd per auto tot de huisartsenpost",
    ),
    "title.differences": (
        "Difference to the base scenario (paired, 95% CI)",
        "Verschil met het basisscenario (gepaard, 95%-BI)",
    ),
    "title.sweep": ("KPIs over the swept parameter", "KPI's per doorgerekende waarde"),
    # ------------------------------------------------------------------ axis labels (with units)
    "axis.call_to_doctor": (
        "Call to doctor, mean (min)",
        "Tijd tot artscontact, gemiddeld (min)",
    ),
    "axis.minutes": ("Minutes (min)", "Minuten (min)"),
    "axis.within_norm": ("Seen within norm (%)", "Gezien binnen normtijd (%)"),
    "axis.urgency": ("NTS urgency (norm)", "NTS-urgentie (normtijd)"),
    "axis.answer_wait": ("Answer time (min)", "Wachttijd aan de telefoon (min)"),
    "axis.answered_cum": (
        "Calls answered (cumulative %)",
        "Beantwoorde telefoontjes (cumulatief %)",
    ),
    "axis.share_callers": ("Share of calls or callers (%)", "Aandeel telefoontjes of bellers (%)"),
    "axis.answer_mean": ("Answer time, mean (min)", "Wachttijd aan de telefoon, gemiddeld (min)"),
    "axis.hour_of_week": (
        "Hour of the week (h, from Monday 00:00)",
        "Uur van de week (u, vanaf maandag 00:00)",
    ),
    "axis.utilisation": ("Utilisation (%)", "Bezettingsgraad (%)"),
    "axis.util_diff": (
        "Difference to base (percentage points)",
        "Verschil met basis (procentpunten)",
    ),
    "axis.staff": ("Staff (persons)", "Personeel (personen)"),
    "axis.response": (
        "Incident to ambulance on scene (min)",
        "Melding tot ambulance ter plaatse (min)",
    ),
    "axis.rides_cum": ("Rides (cumulative %)", "Inzetten (cumulatief %)"),
    "axis.to_seh": ("Incident to arrival at the SEH (min)", "Melding tot aankomst op de SEH (min)"),
    "axis.handoff": ("Handoff delay, mean (min)", "Wachttijd tot overdracht, gemiddeld (min)"),
    "axis.response_mean": ("Response time, mean (min)", "Responstijd, gemiddeld (min)"),
    "axis.within_norm_rides": ("Rides within norm (%)", "Inzetten binnen normtijd (%)"),
    "axis.travel": (
        "Car travel time to the GP post (min)",
        "Reistijd per auto tot de huisartsenpost (min)",
    ),
    "axis.population_cum": ("Inhabitants (cumulative %)", "Inwoners (cumulatief %)"),
    "axis.diff_pp": (
        "Difference to base (percentage points)",
        "Verschil met basis (procentpunten)",
    ),
    "axis.diff_min": ("Difference to base (min)", "Verschil met basis (min)"),
    "axis.share": ("Share ({unit})", "Aandeel ({unit})"),
    "axis.time": ("Time ({unit})", "Tijd ({unit})"),
    "axis.value": ("Value ({unit})", "Waarde ({unit})"),
    "axis.role": ("Role", "Functie"),
    "axis.seh": ("SEH", "SEH"),
    # ------------------------------------------------------------------ panel titles
    "panel.emergency_line": ("Emergency line", "Spoedlijn"),
    "panel.other_lines": ("Other lines", "Niet-spoedlijn"),
    "panel.service_levels": ("Service levels", "Bereikbaarheid"),
    "panel.answer_mean": ("Mean answer time", "Gemiddelde wachttijd"),
    "panel.response": ("{urgency} response", "Responstijd {urgency}"),
    "panel.response_mean": ("Mean response by urgency", "Gemiddelde responstijd per urgentie"),
    "panel.within_norm_rides": ("Rides within norm", "Inzetten binnen de normtijd"),
    "panel.to_seh": ("A1/A2: incident to SEH", "A1/A2: melding tot SEH"),
    "panel.handoff": ("Handoff delay per SEH", "Wachttijd tot overdracht per SEH"),
    "panel.evening": ("Weekday evening ({when})", "Doordeweekse avond ({when})"),
    "panel.night": ("Night ({when})", "Nacht ({when})"),
    "panel.difference": ("{name} − base", "{name} − basis"),
    "panel.urgency_norm": ("{urgency}  (norm {norm})", "{urgency}  (normtijd {norm})"),
    "panel.consult_with_np": (
        "GP and nurse practitioner, consults",
        "Huisarts en verpleegkundig specialist, consulten",
    ),
    "panel.pp": ("Shares (percentage points)", "Aandelen (procentpunten)"),
    "panel.min": ("Times (minutes)", "Tijden (minuten)"),
    # ------------------------------------------------------------------ legends and notes
    "legend.norm": ("norm {value}", "norm {value}"),
    "legend.max": ("maximum {value}", "maximum {value}"),
    "legend.target": ("target {value}", "streefwaarde {value}"),
    "legend.norm_line": ("norm", "norm"),
    "legend.target_line": ("target", "streefwaarde"),
    "legend.within_ci": ("≤ {norm}, KPI ± 95% CI", "≤ {norm}, KPI ± 95%-BI"),
    "legend.needed": ("Needed (offered load)", "Benodigd (verwachte werklast)"),
    "legend.needed_of": ("Needed: {name}", "Benodigd: {name}"),
    "legend.not_staffed": (
        "no staff rostered (differences: in either scenario)",
        "niemand ingeroosterd (verschillen: in een van beide)",
    ),
    "legend.higher": ("significantly higher", "significant hoger"),
    "legend.lower": ("significantly lower", "significant lager"),
    "legend.within": ("{name}: {value} within {norm}", "{name}: {value} binnen {norm}"),
    "legend.significant": ("filled: significant", "gevuld: significant"),
    "note.no_events": (
        "Distribution needs per-patient data:\nrun with --log full",
        "Voor de verdeling zijn gegevens per patiënt nodig:\nreken opnieuw door met --log full",
    ),
    "note.no_events_phone": (
        "The distribution of answer times needs per-patient data: rerun with --log full.",
        "Voor de verdeling van de wachttijden aan de telefoon zijn gegevens per patiënt nodig:"
        " reken opnieuw door met --log full.",
    ),
    "note.no_events_ambulance": (
        "Distributions of response times\nneed per-patient data:\nrerun with --log full",
        "Voor de verdeling van de responstijden\nzijn gegevens per patiënt nodig:\nreken opnieuw"
        " door met --log full",
    ),
    "note.no_data": ("no data", "geen gegevens"),
    "base_suffix": ("{name} (base)", "{name} (basis)"),
    "better.higher": ("↑", "↑"),
    "better.lower": ("↓", "↓"),
    # ------------------------------------------------------------------ groups
    "group.all": ("all", "alle"),
    "group.emergency line": ("emergency line", "spoedlijn"),
    "group.other lines": ("other lines", "niet-spoedlijn"),
    "group.A1+A2": ("A1+A2", "A1+A2"),
    "group.telephone": ("telephone", "telefonisch consult"),
    "group.consult": ("consult", "consult"),
    "group.home_visit": ("home visit", "visite"),
    "sl.answered_within_urgent_norm": ("Emergency line\n≤ {norm}", "Spoedlijn\n≤ {norm}"),
    "sl.answered_within_norm": ("Other lines\n≤ {norm}", "Niet-spoedlijn\n≤ {norm}"),
    "sl.answered_within_max": ("Other lines\n≤ {norm}", "Niet-spoedlijn\n≤ {norm}"),
    "sl.abandoned_callers": ("Callers who\nabandoned", "Bellers die\nafhaakten"),
    "amb.within": ("{urgency}\n≤ {norm}", "{urgency}\n≤ {norm}"),
    "amb.to_seh": ("At SEH\n≤ {norm}", "Op de SEH\n≤ {norm}"),
    # ------------------------------------------------------------------ roles
    "role.triagist": ("Triagist", "Triagist"),
    "role.gp_supervisor": ("Supervising GP", "Regiearts"),
    "role.gp_consult": ("GP, consults", "Huisarts, consulten"),
    "role.gp_visit": ("GP, home visits", "Huisarts, visites"),
    "role.nurse_practitioner": ("Nurse practitioner", "Verpleegkundig specialist"),
    "role.seh_doctor": ("SEH doctor", "SEH-arts"),
    "role.treatment_place": ("SEH treatment places", "SEH-behandelplekken"),
    "role.ambulance": ("Ambulances", "Ambulances"),
    # ------------------------------------------------------------------ days
    "day.0": ("Mon", "ma"),
    "day.1": ("Tue", "di"),
    "day.2": ("Wed", "wo"),
    "day.3": ("Thu", "do"),
    "day.4": ("Fri", "vr"),
    "day.5": ("Sat", "za"),
    "day.6": ("Sun", "zo"),
    "when.evening": ("Tue 19:00", "di 19:00"),
    "when.night": ("Wed 03:00", "wo 03:00"),
    # ------------------------------------------------------------------ KPIs
    "kpi.answer_time_mean": ("Answer time, mean", "Wachttijd aan de telefoon, gemiddeld"),
    "kpi.answered_within_urgent_norm": (
        "Emergency line answered within norm",
        "Spoedlijn binnen normtijd beantwoord",
    ),
    "kpi.answered_within_norm": (
        "Callers answered within norm",
        "Bellers binnen normtijd beantwoord",
    ),
    "kpi.answered_within_max": (
        "Callers answered within maximum",
        "Bellers binnen maximale wachttijd beantwoord",
    ),
    "kpi.abandoned_callers": ("Callers who abandoned", "Bellers die afhaakten"),
    "kpi.blocked_callers": ("Callers lost to a busy signal", "Bellers met in-gesprektoon"),
    "kpi.called_back": ("Callers called back", "Bellers teruggebeld"),
    "kpi.call_back_wait_mean": ("Wait for call-back, mean", "Wachttijd tot terugbellen, gemiddeld"),
    "kpi.abandoned_attempts": ("Call attempts abandoned", "Afgebroken belpogingen"),
    "kpi.blocked_attempts": ("Call attempts met a busy signal", "Belpogingen met in-gesprektoon"),
    "kpi.call_to_doctor_mean": ("Call to doctor, mean", "Tijd tot artscontact, gemiddeld"),
    "kpi.call_to_doctor_p90": (
        "Call to doctor, 90th percentile",
        "Tijd tot artscontact, 90e percentiel",
    ),
    "kpi.within_nts_norm": ("Seen within NTS norm", "Gezien binnen NTS-normtijd"),
    "kpi.travel_to_post_mean": ("Travel to the GP post, mean", "Reistijd naar de HAP, gemiddeld"),
    "kpi.travel_to_post_within_norm": (
        "Travel to the GP post within norm",
        "Reistijd naar de HAP binnen normtijd",
    ),
    "kpi.ambulance_response_mean": ("Ambulance response, mean", "Responstijd ambulance, gemiddeld"),
    "kpi.ambulance_response_within_norm": (
        "Ambulance on scene within norm",
        "Ambulance binnen normtijd ter plaatse",
    ),
    "kpi.ambulance_by_neighbour": ("Rides by a neighbouring region", "Inzetten door een buurregio"),
    "kpi.call_to_seh_within_norm": (
        "Incident to SEH within norm",
        "Melding tot SEH binnen normtijd",
    ),
    "kpi.handoff_delay_mean": ("Handoff delay, mean", "Wachttijd tot overdracht, gemiddeld"),
    "kpi.handoff_delay_p90": (
        "Handoff delay, 90th percentile",
        "Wachttijd tot overdracht, 90e percentiel",
    ),
    "kpi.door_to_doctor_mean": ("SEH door to doctor, mean", "SEH: binnenkomst tot arts, gemiddeld"),
    "kpi.unserved_patients": ("Patients never served", "Patiënten niet geholpen"),
    "kpi.utilisation": ("Utilisation", "Bezettingsgraad"),
    "kpi.contacts_per_gp_hour": ("Contacts per GP hour", "Contacten per huisartsuur"),
    "kpi.overtime_minutes_per_shift": ("Overtime per shift", "Overwerk per dienst"),
    "kpi.overtime_hours_per_week": ("Overtime per week", "Overwerk per week"),
    "kpi.seh_occupancy": ("SEH occupancy", "SEH-bezetting"),
    "kpi.patients_per_year": ("Patients per year", "Patiënten per jaar"),
    "kpi.gp_contacts_per_1000": (
        "GP-post contacts per 1,000 per year",
        "HAP-contacten per 1.000 inwoners per jaar",
    ),
    "kpi.gp_contact_share": ("GP-post contact type", "HAP-contacten naar soort"),
    "kpi.seh_visits_per_year": ("SEH visits per year", "SEH-bezoeken per jaar"),
    "kpi.ambulance_rides_per_year": ("Ambulance rides per year", "Ambulance-inzetten per jaar"),
    # ------------------------------------------------------------------ captions
    "caption.kpi_source": (
        "Source: KPI tables of {reps} replication(s) per scenario (kpis.parquet); bars are"
        " means over replications, whiskers 95% confidence intervals (t-based).",
        "Bron: KPI-tabellen van {reps} replicatie(s) per scenario (kpis.parquet); staven zijn"
        " gemiddelden over replicaties, foutbalken 95%-betrouwbaarheidsintervallen"
        " (t-verdeling).",
    ),
    "caption.single_rep": (
        " With a single replication no confidence interval can be given.",
        " Met één replicatie is geen betrouwbaarheidsinterval te geven.",
    ),
    "caption.access_time": (
        "Mean time from the first call (or arrival) to the first contact with a doctor or"
        " ambulance crew, per NTS urgency, one panel per urgency with its own scale; the"
        " dashed line is the NTS norm for that urgency (norm column of the KPI table).",
        "Gemiddelde tijd van het eerste telefoontje (of de binnenkomst) tot het eerste contact"
        " met een arts of ambulancebemanning, per NTS-urgentie, één paneel per urgentie met een"
        " eigen schaal; de gestreepte lijn is de NTS-normtijd van die urgentie (normkolom van de"
        " KPI-tabel).",
    ),
    "caption.within_norm": (
        "Share of patients whose first doctor or ambulance contact came within the NTS norm"
        " of their urgency (U5 has no norm).",
        "Aandeel patiënten bij wie het eerste contact met arts of ambulance binnen de"
        " NTS-normtijd van hun urgentie viel (U5 heeft geen normtijd).",
    ),
    "caption.phone_events": (
        "Top: cumulative share of answered calls by waiting time on hold (mean over"
        " replications; band: pointwise 95% CI, drawn for up to three scenarios), from the"
        " per-patient event logs (events/;"
        " wait from the start of the answered attempt); the emergency line takes the"
        " urgencies {urgencies}, taken from each replication's re-drawn demand. Dashed:"
        " answer norms; dotted: their targets. Bottom: service levels, shares of every caller"
        " who reached the line (also those who hung up, met a full waiting room, were called"
        " back or were still waiting), so they stand below the curves of answered calls at"
        " the norm; and the mean answer time of calls answered live, from the KPI tables.",
        "Boven: cumulatief aandeel beantwoorde telefoontjes naar wachttijd aan de telefoon"
        " (gemiddelde over replicaties; band: puntsgewijs 95%-BI, getekend bij hoogstens drie"
        " scenario's), uit de gebeurtenissenlogs per patiënt (events/; wachttijd vanaf het begin"
        " van de belpoging die werd beantwoord); de spoedlijn neemt de urgenties {urgencies},"
        " uit de opnieuw getrokken vraag van elke replicatie. Gestreept: normtijden; gestippeld:"
        " hun streefwaarden. Onder: bereikbaarheid, als aandeel van alle bellers die de lijn"
        " bereikten (ook wie ophing, de in-gesprektoon kreeg, werd teruggebeld of nog wachtte),"
        " dus bij de normtijd lager dan de curven van beantwoorde telefoontjes; en de gemiddelde"
        " wachttijd van direct beantwoorde telefoontjes, uit de KPI-tabellen.",
    ),
    "caption.phone_kpis": (
        "Service levels (shares of every caller who reached the line) and mean answer time"
        " from the KPI tables; dotted: targets. The"
        " distribution of answer times needs per-patient event logs: rerun with --log full.",
        "Bereikbaarheid (aandeel van alle bellers die de lijn bereikten) en gemiddelde wachttijd"
        " aan de telefoon uit de KPI-tabellen; gestippeld: streefwaarden. Voor de verdeling van"
        " de wachttijden zijn gebeurtenissenlogs per patiënt nodig: reken opnieuw door met --log"
        " full.",
    ),
    "caption.workload": (
        "Busy share of staffed time per role and hour of the week (0 = Monday 00:00),"
        " averaged over replications and over the weeks after the warm-up; hatched: no one"
        " rostered. {source} {difference}",
        "Bezet deel van de ingeroosterde tijd per functie en uur van de week (0 = maandag"
        " 00:00), gemiddeld over replicaties en over de weken na de inloopperiode; gearceerd:"
        " niemand ingeroosterd. {source} {difference}",
    ),
    "caption.workload.replications": (
        "Source: busy and staffed minutes per hour of the week of every replication (hourly/).",
        "Bron: bezette en ingeroosterde minuten per uur van de week van elke replicatie (hourly/).",
    ),
    "caption.workload.pooled": (
        "Source: busy and staffed minutes per hour of the week summed over replications"
        " (utilisation_by_hour.parquet); no per-replication data, so no confidence"
        " intervals.",
        "Bron: bezette en ingeroosterde minuten per uur van de week, opgeteld over replicaties"
        " (utilisation_by_hour.parquet); geen gegevens per replicatie, dus geen"
        " betrouwbaarheidsintervallen.",
    ),
    "caption.workload.simulated": (
        "Source: the result directory has no per-hour workload, so the report simulated"
        " replication 0 of each scenario again (same seed) and measured it; one replication,"
        " so no confidence intervals.",
        "Bron: de resultatenmap bevat geen werklast per uur, dus het rapport simuleerde"
        " replicatie 0 van elk scenario opnieuw (zelfde seed) en mat die; één replicatie, dus"
        " geen betrouwbaarheidsintervallen.",
    ),
    "caption.workload.ci": (
        "Median 95% CI half-width of a cell: {value} percentage points.",
        "Mediane halve breedte van het 95%-BI van een cel: {value} procentpunten.",
    ),
    "caption.workload.base_only": (
        "With this many scenarios only the base is shown in full; the others as their"
        " difference to it.",
        "Bij zoveel scenario's staat alleen de basis volledig afgebeeld; de andere als hun"
        " verschil ermee.",
    ),
    "caption.workload.difference": (
        "Difference panels: scenario minus base in percentage points (mean of paired"
        " replications); + and − mark hours where the 95% CI of the paired difference"
        " excludes zero.",
        "Verschilpanelen: scenario min basis in procentpunten (gemiddelde over gepaarde"
        " replicaties); + en − markeren uren waarin het 95%-BI van het gepaarde verschil nul"
        " uitsluit.",
    ),
    "caption.capacity": (
        "Staffed: staff on duty per hour of a regular week (no holidays), summed over sites,"
        " from the rosters of the resolved scenario. Needed: offered load = expected arrivals"
        " in that hour (by hour of first contact) × mean time per patient for the role, from"
        " the scenario's demand, urgency and disposition mixes and mean durations (visits"
        " include a population-weighted round trip of {round_trip} min from the nearest post);"
        " staffing at the needed level means 100% utilisation, and queues need more. Grey:"
        " the base scenario's load; dotted lines: scenarios whose load differs. Nurse"
        " practitioners count with the consult GPs (consults at the GP's mean time)."
        " Deterministic: no sampling uncertainty.",
        "Ingeroosterd: personeel in dienst per uur van een gewone week (zonder feestdagen),"
        " opgeteld over locaties, uit de roosters van het scenario. Benodigd: verwachte werklast"
        " = verwacht aantal aankomsten in dat uur (naar uur van eerste contact) × gemiddelde"
        " tijd per patiënt voor de functie, uit de vraag, de verdeling over urgenties en"
        " vervolgacties en de gemiddelde duur in het scenario (visites inclusief een naar"
        " inwoners gewogen rit heen en terug van {round_trip} min vanaf de dichtstbijzijnde"
        " post); bezetting op het benodigde niveau betekent 100% bezettingsgraad, en wachtrijen"
        " vragen meer. Grijs: de werklast van het basisscenario; gestippelde lijnen: scenario's"
        " met een andere werklast. Verpleegkundig specialisten tellen mee bij de consultartsen"
        " (consulten tegen de gemiddelde duur bij de huisarts). Deterministisch: geen"
        " steekproefonzekerheid.",
    ),
    "caption.ambulance_events": (
        "Cumulative share of rides by time from incident to ambulance on scene (A1, A2) and"
        " from incident to arrival at the SEH (conveyed A1/A2 rides), mean over replications"
        " with a pointwise 95% CI band (drawn for up to three scenarios), from the"
        " per-patient event logs (events/);"
        " urgencies from each replication's re-drawn demand. Dashed: norms; the legend gives"
        " the KPI share within the norm ± 95% CI. Handoff delay (ambulance at the SEH to"
        " start of handover) per SEH from the KPI tables.",
        "Cumulatief aandeel inzetten naar tijd van melding tot ambulance ter plaatse"
        " (responstijd; A1, A2) en van melding tot aankomst op de SEH (vervoerde"
        " A1/A2-inzetten), gemiddelde over replicaties met een puntsgewijze 95%-BI-band"
        " (getekend bij hoogstens drie scenario's), uit de gebeurtenissenlogs per patiënt"
        " (events/); urgenties uit de opnieuw getrokken vraag van elke replicatie. Gestreept:"
        " normtijden; de legenda geeft het KPI-aandeel binnen de normtijd ± 95%-BI. Wachttijd"
        " tot overdracht (ambulance op de SEH tot begin overdracht) per SEH uit de KPI-tabellen.",
    ),
    "caption.ambulance_kpis": (
        "Mean response time per ambulance urgency with its norm (dashed), the share of rides"
        " within the norm (dotted: target), and the handoff delay per SEH, from the KPI"
        " tables. Distributions need per-patient event logs: rerun with --log full.",
        "Gemiddelde responstijd per ambulance-urgentie met de normtijd (gestreept), het aandeel"
        " inzetten binnen de normtijd (gestippeld: streefwaarde) en de wachttijd tot overdracht"
        " per SEH, uit de KPI-tabellen. Voor de verdelingen zijn gebeurtenissenlogs per patiënt"
        " nodig: reken opnieuw door met --log full.",
    ),
    "caption.travel": (
        "Cumulative share of inhabitants by car travel time from their area to the GP post"
        " a patient is sent to at that moment (the nearest post if open, else its"
        " when_closed rule), on a Tuesday 19:00 and the night after (Wednesday 03:00) of a"
        " regular week; computed from the resolved scenario (areas' population, travel"
        " matrix without trip noise, opening hours). Dashed: travel norm; dotted: its target."
        " Deterministic: no sampling uncertainty.",
        "Cumulatief aandeel inwoners naar reistijd per auto van hun gebied naar de"
        " huisartsenpost waar een patiënt op dat moment heen gaat (de dichtstbijzijnde post als"
        " die open is, anders volgens when_closed), op een dinsdag 19:00 en de nacht erna"
        " (woensdag 03:00) van een gewone week; berekend uit het scenario (inwoners per gebied,"
        " reistijden zonder spreiding per rit, openingstijden). Gestreept: normtijd voor de"
        " reistijd; gestippeld: streefwaarde. Deterministisch: geen steekproefonzekerheid.",
    ),
    "caption.differences": (
        "Mean paired difference (scenario − base) over replications with common random"
        " numbers, with its 95% CI; filled markers: significant (see the end of this"
        " caption). ↑: higher is better; ↓: lower is better. Source: KPI tables"
        " (kpis.parquet).",
        "Gemiddeld gepaard verschil (scenario − basis) over replicaties met gemeenschappelijke"
        " toevalsgetallen, met 95%-BI; gevulde markers: significant (zie het einde van dit"
        " bijschrift). ↑: hoger is beter; ↓: lager is beter. Bron: KPI-tabellen"
        " (kpis.parquet).",
    ),
    "caption.sweep": (
        "Each KPI's mean over replications at every grid point, with 95% CI whiskers"
        " (t-based), against {parameter}. Source: KPI tables (kpis.parquet).",
        "Gemiddelde van elke KPI over replicaties per doorgerekende variant, met foutbalken voor"
        " het 95%-BI (t-verdeling), tegen {parameter}. Bron: KPI-tabellen (kpis.parquet).",
    ),
    # ------------------------------------------------------------------ summary page
    "page.title.run": ("anwsim report: {name}", "anwsim-rapport: {name}"),
    "page.title.compare": (
        "anwsim report: comparison of scenarios",
        "anwsim-rapport: vergelijking van scenario's",
    ),
    "page.title.sweep": (
        "anwsim report: parameter sweep",
        "anwsim-rapport: doorrekening van varianten",
    ),
    "page.headline": ("Headline KPIs", "Kern-KPI's"),
    "page.provenance": ("Provenance", "Verantwoording"),
    "page.figures": ("Figures", "Figuren"),
    "page.col.kpi": ("KPI", "KPI"),
    "page.col.group": ("Group", "Groep"),
    "page.col.unit": ("Unit", "Eenheid"),
    "page.col.norm": ("Norm", "Norm"),
    "page.col.target": ("Target", "Streefwaarde"),
    "page.col.label": ("Label", "Label"),
    "page.col.scenario": ("Scenario", "Scenario"),
    "page.col.source": ("File", "Bestand"),
    "page.col.hash": ("Scenario hash", "Scenariohash"),
    "page.col.replications": ("Replications", "Replicaties"),
    "page.kind": ("Kind", "Soort"),
    "page.kind.run": ("run", "doorrekening"),
    "page.kind.compare": ("compare", "vergelijking"),
    "page.kind.sweep": ("sweep", "doorrekening van varianten"),
    "page.seed": ("Seed", "Startgetal (seed)"),
    "page.horizon": ("Horizon, warm-up", "Simulatieduur, inloopperiode"),
    "page.horizon_value": ("{horizon} weeks, {warmup} weeks", "{horizon} weken, {warmup} weken"),
    "page.versions": ("Versions", "Versies"),
    "page.command": ("Command", "Opdracht"),
    "page.started": ("Run started", "Doorrekening gestart"),
    "page.created": ("Report made", "Rapport gemaakt"),
    "page.directory": ("Result directory", "Resultatenmap"),
    "page.grid": ("Grid", "Doorgerekende waarden"),
    "page.cell_note": (
        "Cells: mean ± 95% CI half-width over replications; for scenarios other than the"
        " base also the paired difference to the base (± 95% CI), * where that difference"
        " is significant (see below).",
        "Cellen: gemiddelde ± halve breedte van het 95%-BI over replicaties; bij andere"
        " scenario's dan de basis ook het gepaarde verschil met de basis (± 95%-BI), * waar dat"
        " verschil significant is (zie hieronder).",
    ),
    "page.cell_note_run": (
        "Cells: mean ± 95% CI half-width over replications.",
        "Cellen: gemiddelde ± halve breedte van het 95%-BI over replicaties.",
    ),
    "page.note.incomplete": (
        "The run did not finish: this report uses the replications that did.",
        "De doorrekening is niet afgemaakt: dit rapport gebruikt de replicaties die klaar waren.",
    ),
    "page.note.failures": (
        "Some replications failed; see failures/ in the result directory.",
        "Sommige replicaties zijn mislukt; zie failures/ in de resultatenmap.",
    ),
    "page.note.many": (
        "Figures that show scenarios side by side show the first {n} of {total}.",
        "Figuren met scenario's naast elkaar tonen de eerste {n} van {total}.",
    ),
    "page.files": ("Figure files", "Figuurbestanden"),
    # ------------------------------------------------------------------ command-line tables
    "cli.replications": ("{scenario} — {n} replication(s)", "{scenario} — {n} replicatie(s)"),
    "cli.col.value": ("mean ± 95% CI", "gemiddelde ± 95%-BI"),
    "cli.col.base": ("mean ± CI", "gem. ± BI"),
    "cli.col.other": ("mean (Δ ± CI)", "gem. (Δ ± BI)"),
    "cli.col.rank": ("rank", "plaats"),
    "cli.col.score": ("score", "score"),
    "cli.note.compare": (
        "Cells: for {base} the mean ± 95% CI half-width over replications; for the others"
        " their mean and, in brackets, the paired difference Δ to {base} ± 95% CI;"
        " * significant (also where Δ rounds to 0; see the next line).",
        "Cellen: voor {base} het gemiddelde ± halve breedte van het 95%-BI over replicaties;"
        " voor de andere scenario's hun gemiddelde en tussen haakjes het gepaarde verschil Δ"
        " met {base} ± 95%-BI; * significant (ook waar Δ op 0 afrondt; zie de volgende regel).",
    ),
    "cli.ranking.title": ("Ranking against {base}", "Rangorde ten opzichte van {base}"),
    "cli.ranking.note": (
        "Score = significant improvements − significant worsenings on the KPIs marked ↑"
        " (higher is better) or ↓ (lower is better); the others are shown, not scored."
        " Cells: difference to {base}; * significant (also where the difference rounds to 0;"
        " see the next line).",
        "Score = significante verbeteringen − significante verslechteringen op de KPI's met ↑"
        " (hoger is beter) of ↓ (lager is beter); de andere staan erbij maar tellen niet mee."
        " Cellen: verschil met {base}; * significant (ook waar het verschil op 0 afrondt;"
        " zie de volgende regel).",
    ),
    "cli.sweep.title": (
        "Sweep: {n} grid point(s), {reps} replication(s) each",
        "Varianten: {n} doorgerekend, elk {reps} replicatie(s)",
    ),
    "cli.sweep.note": (
        "Cells: mean ± 95% CI half-width over replications at each grid point.",
        "Cellen: gemiddelde ± halve breedte van het 95%-BI over replicaties per variant.",
    ),
    "cli.no_results": ("(no results)", "(geen resultaten)"),
    "cli.nothing_to_rank": ("(nothing to rank)", "(niets te rangschikken)"),
    "cli.warn.unserved": (
        "warning: {who}{n} patients per replication were never served at {site} ({role}):"
        " check its roster and opening hours",
        "waarschuwing: {who}{n} patiënten per replicatie zijn nooit geholpen bij {site}"
        " ({role}): controleer het rooster en de openingstijden",
    ),
    "cli.warn.precision": (
        "warning: the asked precision was not reached within {n} replications (largest"
        " relative half-width {width}); raise --max-reps",
        "waarschuwing: de gevraagde precisie is niet gehaald binnen {n} replicaties (grootste"
        " relatieve halve breedte {width}); verhoog --max-reps",
    ),
    # short KPI names for narrow columns (the ranking); English as Kpi.short
    "short.answered_within_urgent_norm": ("urgent", "spoed"),
    "short.answered_within_norm": ("phone", "niet-spoed"),
    "short.answered_within_max": ("phone max", "niet-spoed max"),
    "short.abandoned_callers": ("abandon", "afgehaakt"),
    "short.blocked_callers": ("blocked", "in-gesprek"),
    "short.within_nts_norm": ("NTS", "NTS"),
    "short.travel_to_post_within_norm": ("post", "HAP"),
    "short.ambulance_response_within_norm": ("amb", "ambulance"),
    "short.call_to_seh_within_norm": ("SEH", "SEH"),
    "short.unserved_patients": ("unserved", "niet geholpen"),
    "short.utilisation": ("util", "bezet"),
    "short.overtime_minutes_per_shift": ("overtime", "overwerk"),
    # ------------------------------------------------------------------ anwsim kpis
    "kpis.title": (
        "Every KPI: --target takes KPI:GROUP, e.g. within_nts_norm:U2",
        "Alle KPI's: --target neemt KPI:GROEP, bijv. within_nts_norm:U2",
    ),
    "kpis.title_for": (
        "Every KPI of {name}: --target takes KPI:GROUP, e.g. within_nts_norm:U2",
        "Alle KPI's van {name}: --target neemt KPI:GROEP, bijv. within_nts_norm:U2",
    ),
    "kpis.kind.access": ("Access", "Toegankelijkheid"),
    "kpis.kind.workload": ("Workload", "Werkbelasting"),
    "kpis.kind.volume": ("Volumes", "Aantallen"),
    "kpis.measures": ("measures", "meet"),
    "kpis.groups": ("groups", "groepen"),
    "kpis.unit": ("unit", "eenheid"),
    "kpis.norm": ("norm", "norm"),
    "kpis.better": ("better", "beter"),
    "kpis.none": ("none", "geen"),
    "kpis.higher": ("higher is better", "hoger is beter"),
    "kpis.lower": ("lower is better", "lager is beter"),
    "kpis.neutral": ("neither: {reason}", "geen richting: {reason}"),
    "kpis.denominator.share": ("divides by", "deelt door"),
    "kpis.denominator.rate": ("divides by", "deelt door"),
    "kpis.denominator.mean": ("over", "over"),
    "kpis.denominator.p90": ("over", "over"),
    "kpis.denominator.count": ("per", "per"),
    # ---- figures (D1)
    "caption.clipped": (
        " Whiskers stop at what is possible: 0–100% for a share, 0 for a time.",
        " Foutbalken stoppen bij wat mogelijk is: 0–100% voor een aandeel, 0 voor een tijd.",
    ),
    "caption.few_reps": (
        " Only {reps} replications per scenario (fewer than {few}): the intervals are wide"
        " and themselves uncertain; read small differences with care.",
        "Slechts {reps} replicaties per scenario (minder dan {few}): de intervallen zijn breed"
        " en zelf onzeker; wees voorzichtig met kleine verschillen.",
    ),
    "caption.wide_ci": (
        " {wide} of the {total} intervals are wide (half-width above {pp} percentage points"
        " for a share, above {part}% of the mean otherwise); more replications narrow them.",
        " {wide} van de {total} intervallen zijn breed (halve breedte boven {pp} procentpunten"
        " bij een aandeel, anders boven {part}% van het gemiddelde); meer replicaties maken"
        " ze smaller.",
    ),
    "caption.line_chunks": (
        " With {n} scenarios, each row of panels shows at most {size}, the base in every"
        " row as the reference.",
        " Bij {n} scenario's toont elke rij panelen er hoogstens {size}, met in elke rij de"
        " basis als referentie.",
    ),
    "caption.capacity_chunks": (
        " With {n} scenarios, each column shows at most {size}, the base in every column.",
        " Bij {n} scenario's toont elke kolom er hoogstens {size}, met in elke kolom de basis.",
    ),
    "caption.sweep_field": (" Swept field: {path}.", " Gevarieerde instelling: {path}."),
    "axis.diff_short": ("Difference ({unit})", "Verschil ({unit})"),
    "legend.not_significant": ("open: not significant", "open: niet significant"),
    "field.block": ("block {n}", "dienstblok {n}"),
    "field.role_field": ("{role}: {field}", "{role}: {field}"),
    "field.word.staff": ("staff", "personeel"),
    "field.word.minutes": ("minutes", "minuten"),
    "field.word.percent": ("percent", "procent"),
    "field.word.factor": ("factor", "factor"),
    "field.word.opening": ("opening hours", "openingstijden"),
    "field.section.rosters": ("roster", "rooster"),
    "field.section.demand": ("demand", "zorgvraag"),
    "field.section.triage": ("triage", "triage"),
    "field.section.gp": ("GP", "huisarts"),
    "field.section.seh": ("SEH", "SEH"),
    "field.section.ambulance": ("ambulance", "ambulance"),
    "field.section.travel": ("travel", "reistijd"),
    "field.section.norms": ("norms", "normen"),
    "field.section.run": ("run", "doorrekening"),
    "field.section.staffing": ("staffing", "personeelsinzet"),
    "field.section.sites": ("sites", "locaties"),
    # ---- map+queues (E)
    "title.map": (
        "Car travel time to the GP post or SEH a patient is sent to",
        "Reistijd per auto naar de huisartsenpost of SEH waar een patiënt heen gaat",
    ),
    "title.map_change": (
        "Change in car travel time per area (scenario − base)",
        "Verandering van de reistijd per auto per gebied (scenario − basis)",
    ),
    "title.queues": (
        "Waiting patients and rostered capacity over the week",
        "Wachtende patiënten en ingeroosterde capaciteit over de week",
    ),
    "map.axis.minutes": (
        "Car travel time to the GP post or SEH (min)",
        "Reistijd per auto naar huisartsenpost of SEH (min)",
    ),
    "map.axis.change": (
        "Change in car travel time (min)",
        "Verandering van de reistijd per auto (min)",
    ),
    "map.kind.gp_post": ("GP post", "Huisartsenpost"),
    "map.kind.seh": ("SEH", "SEH"),
    "map.kind.integrated_post": (
        "Integrated post (GP post + SEH)",
        "Spoedpost (huisartsenpost + SEH)",
    ),
    "map.kind.ambulance_station": ("Ambulance station", "Ambulancestandplaats"),
    "map.legend.closed": ("closed at that time", "op dat moment gesloten"),
    "map.legend.inhabitants": ("{n} inhabitants", "{n} inwoners"),
    "map.legend.longer": ("longer trip", "langere reistijd"),
    "map.legend.shorter": ("shorter trip", "kortere reistijd"),
    "map.note.unchanged_all": (
        "No scenario changes the car travel times.",
        "Geen enkel scenario verandert de reistijden per auto.",
    ),
    "map.caption.none": ("none", "geen"),
    "caption.map": (
        "{name}: every area is a circle at its place, its area proportional to its"
        " inhabitants, shaded by the car travel time (no trip noise) to the GP post a"
        " patient from there is sent to at that moment (the nearest post if open, else its"
        " when_closed rule: another post or an SEH); a grey line leads to that place."
        " Tuesday 19:00 and the night after (Wednesday 03:00) of the run's first regular"
        " week. Hollow, crossed symbols: closed at that moment; an integrated post is drawn"
        " once, open while its GP post is. Dashed on the colour bar: the travel norm"
        " ({norm}). Computed from the resolved scenario (areas, sites, travel matrix,"
        " opening hours); deterministic, no sampling uncertainty.",
        "{name}: elk gebied is een cirkel op zijn plek, met een oppervlak evenredig met het"
        " aantal inwoners, gekleurd naar de reistijd per auto (zonder spreiding per rit) naar de"
        " huisartsenpost waar een patiënt van daar op dat moment heen gaat (de dichtstbijzijnde"
        " post als die open is, anders volgens when_closed: een andere post of een SEH); een"
        " grijze lijn wijst naar die plek. Dinsdag 19:00 en de nacht erna (woensdag 03:00) in de"
        " eerste gewone week van de doorrekening. Open, doorgekruiste symbolen: op dat moment"
        " gesloten; een spoedpost staat er één keer op, open zolang de huisartsenpost open is."
        " Gestreept op de kleurenbalk: de normtijd voor de reistijd ({norm}). Berekend uit het"
        " scenario (gebieden, locaties, reistijdenmatrix, openingstijden); deterministisch: geen"
        " steekproefonzekerheid.",
    ),
    "caption.map.unchanged_all": (
        " No other scenario of this comparison changes these travel times.",
        " Geen ander scenario in deze vergelijking verandert deze reistijden.",
    ),
    "caption.map_change": (
        "Car travel time per area in each scenario minus that of {base}, on Tuesday 19:00"
        " and the night after (Wednesday 03:00), on one diverging scale centred at zero"
        " (orange: longer, purple: shorter; + and − mark the sign for black-and-white"
        " print); circles sized by inhabitants, a grey line to where the scenario sends"
        " them; GP posts, SEHs and closures as in the scenario."
        " Computed from the resolved scenarios; deterministic. Scenarios whose travel times"
        " equal the base's everywhere: {unchanged}.",
        "Reistijd per auto per gebied in elk scenario min die van {base}, op dinsdag 19:00 en de"
        " nacht erna (woensdag 03:00), op één tweezijdige schaal rond nul (oranje: langer,"
        " paars: korter; + en − geven het teken ook in zwart-wit); cirkels naar aantal inwoners,"
        " een grijze lijn naar waar het scenario de patiënten heen stuurt; huisartsenposten,"
        " SEH's en sluitingen zoals in het scenario. Berekend uit de"
        " scenario's; deterministisch. Scenario's met overal dezelfde reistijden als de basis:"
        " {unchanged}.",
    ),
    "queues.axis.waiting": ("Waiting, mean (patients)", "Wachtend, gemiddeld (patiënten)"),
    "queues.axis.capacity": ("Rostered (number)", "Ingeroosterd (aantal)"),
    "queues.panel": ("{site}: {role}", "{site}: {role}"),
    "queues.site.all_stations": ("all stations", "alle standplaatsen"),
    "queues.legend.capacity": (
        "Rostered capacity of {name} (right axis)",
        "Ingeroosterde capaciteit van {name} (rechteras)",
    ),
    "queues.legend.capacity_other": (
        "Rostered capacity where it differs (thin)",
        "Ingeroosterde capaciteit waar die afwijkt (dun)",
    ),
    "queues.legend.band": ("95% CI of the mean", "95%-BI van het gemiddelde"),
    "caption.queues": (
        "Mean number of patients waiting in each queue per hour of the week (the time"
        " waited in that hour ÷ the minutes of that hour in the measured window, over every"
        " week after the warm-up), mean over replications{band}; beside it, on the right"
        " axis, the rostered capacity of the same site and role (staff, SEH places or"
        " vehicles on duty: staffed minutes ÷ 60 per occurrence of the hour; consult GPs"
        " with nurse practitioners). Where the curve rises while the capacity stays flat, the"
        " roster falls short. From the per-replication queue and workload tables of the"
        " results.",
        "Gemiddeld aantal wachtende patiënten per wachtrij en uur van de week (de in dat uur"
        " gewachte tijd ÷ de minuten van dat uur in de meetperiode, over alle weken na de"
        " inloopperiode), gemiddeld over de replicaties{band}; ernaast, op de rechteras, de"
        " ingeroosterde capaciteit van dezelfde locatie en functie (personeel, SEH-plaatsen of"
        " ambulances in dienst: ingeroosterde minuten ÷ 60 per keer dat het uur voorkomt;"
        " consultartsen samen met verpleegkundig specialisten). Waar de curve stijgt terwijl de"
        " capaciteit gelijk blijft, schiet het rooster tekort. Uit de wachtrij- en"
        " werklasttabellen per replicatie in de resultaten.",
    ),
    "caption.queues.band": (" with its 95% CI as a band", ", met het 95%-BI als band"),
    "caption.queues.no_band": (
        " (one replication: no CI)",
        " (één replicatie: geen BI)",
    ),
    "caption.queues.base_band": (
        " with its 95% CI as a band (for the base only where a panel shows more than {n}"
        " scenarios)",
        ", met het 95%-BI als band (alleen voor de basis waar een paneel meer dan {n}"
        " scenario's toont)",
    ),
    "caption.queues.groups": (
        " Each column shows up to {n} scenarios, the base in each.",
        " Elke kolom toont hoogstens {n} scenario's, met in elke kolom de basis.",
    ),
    "caption.queues.quiet": (
        " Queues where no patient waited in any scenario (not drawn): {queues}.",
        " Wachtrijen waarin in geen enkel scenario een patiënt wachtte (niet getekend): {queues}.",
    ),
    "page.note.no_queues": (
        "The figure of queues over the week is left out: these results hold no queue"
        " tables (written by an older anwsim); run them again to get it.",
        "De figuur met wachtrijen over de week ontbreekt: deze resultaten bevatten geen"
        " wachtrijtabellen (geschreven door een oudere anwsim); reken ze opnieuw door om die"
        " figuur te krijgen.",
    ),
    # ---- data (A)
    "page.note.no_hourly": (
        "The workload figures are left out: these results hold no per-hour workload"
        " tables (written by an older anwsim); run them again to get them.",
        "De figuren met de werklast ontbreken: deze resultaten bevatten geen tabellen met de"
        " werklast per uur (geschreven door een oudere anwsim); reken ze opnieuw door om die"
        " figuren te krijgen.",
    ),
    "page.note.no_urgency": (
        "The event logs of these results do not record urgencies (written by an older"
        " anwsim): figures by urgency show them as unknown.",
        "De gebeurtenissenlogs van deze resultaten bevatten geen urgenties (geschreven door een"
        " oudere anwsim): figuren per urgentie tonen die als onbekend.",
    ),
    "caption.workload.missing": (
        "The result directory has no per-hour workload tables (written by an older"
        " anwsim); run it again to see the workload.",
        "De resultatenmap bevat geen tabellen met de werklast per uur (geschreven door een"
        " oudere anwsim); reken opnieuw door om de werklast te zien.",
    ),
    # ---- stats (C)
    "significance.holm": (
        "{n} comparisons (every scenario, KPI and group against the base); significant:"
        " after Holm's correction for multiple comparisons (family-wise 5%: the chance that"
        " any marked difference is due to chance alone is at most 5%). The 95% CIs shown"
        " are those of each comparison on its own.",
        "{n} vergelijkingen (elk scenario, elke KPI en groep ten opzichte van de basis);"
        " significant: na Holm-correctie voor meervoudig toetsen (familiegewijze foutkans 5%: de"
        " kans dat ook maar één gemarkeerd verschil op toeval berust, is hoogstens 5%). De"
        " getoonde 95%-BI's zijn die van elke vergelijking afzonderlijk.",
    ),
    "significance.bh": (
        "{n} comparisons (every scenario, KPI and group against the base); significant:"
        " after Benjamini–Hochberg's correction for multiple comparisons (false discovery"
        " rate 5%: on average at most 5% of the marked differences are due to chance"
        " alone). The 95% CIs shown are those of each comparison on its own.",
        "{n} vergelijkingen (elk scenario, elke KPI en groep ten opzichte van de basis);"
        " significant: na Benjamini-Hochberg-correctie voor meervoudig toetsen (FDR 5%:"
        " gemiddeld berust hoogstens 5% van de gemarkeerde verschillen op toeval). De getoonde"
        " 95%-BI's zijn die van elke vergelijking afzonderlijk.",
    ),
    "significance.none": (
        "{n} comparisons (every scenario, KPI and group against the base); significant:"
        " the 95% CI excludes zero, not corrected for multiple comparisons, so about 1 in"
        " 20 comparisons without a real difference is marked by chance.",
        "{n} vergelijkingen (elk scenario, elke KPI en groep ten opzichte van de basis);"
        " significant: het 95%-BI sluit nul uit, niet gecorrigeerd voor meervoudig toetsen,"
        " dus ongeveer 1 op de 20 vergelijkingen zonder echt verschil wordt door toeval"
        " gemarkeerd.",
    ),
    "page.ranking": ("Ranking", "Rangorde"),
    "title.ranking": (
        "Ranking of the scenarios against the base",
        "Rangorde van de scenario's ten opzichte van de basis",
    ),
    "axis.ranking": (
        "KPIs significantly worse (left) or better (right)",
        "KPI's significant slechter (links) of beter (rechts)",
    ),
    "legend.improved": ("significantly better", "significant beter"),
    "legend.worsened": ("significantly worse", "significant slechter"),
    "legend.score": ("score (better − worse)", "score (beter − slechter)"),
    "ranking.row": (
        "{score} ({better} better, {worse} worse)",
        "{score} ({better} beter, {worse} slechter)",
    ),
    "ranking.col.rank": ("Rank", "Rang"),
    "ranking.col.scenario": ("Scenario", "Scenario"),
    "ranking.col.score": ("Score", "Score"),
    "ranking.col.improved": ("Better", "Beter"),
    "ranking.col.worsened": ("Worse", "Slechter"),
    "ranking.col.better_on": ("Significantly better on", "Significant beter op"),
    "ranking.col.worse_on": ("Significantly worse on", "Significant slechter op"),
    "ranking.note": (
        "Ranking against {base}. Score = significant improvements − significant worsenings"
        " on {n} KPIs: {kpis}. Ties keep the order the scenarios were given in.",
        "Rangorde ten opzichte van {base}. Score = significante verbeteringen − significante"
        " verslechteringen op {n} KPI's: {kpis}. Bij gelijke score blijft de volgorde waarin"
        " de scenario's zijn opgegeven.",
    ),
    "ranking.note.unscored": (
        " Not scored (neither direction is better): {kpis}.",
        " Telt niet mee (geen van beide richtingen is beter): {kpis}.",
    ),
}

UNITS: dict[str, tuple[str, str]] = {
    "min": ("min", "min"),
    "%": ("%", "%"),
    "pp": ("pp", "%-punt"),
    "h": ("h", "u"),
    "1/h": ("per h", "per uur"),
    "1/yr": ("per year", "per jaar"),
    "1/1000/yr": ("per 1,000 per year", "per 1.000 inwoners per jaar"),
    "patients": ("patients", "patiënten"),
}


def _index(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    return LANGS.index(lang)


def t(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = TEXT[key][_index(lang)]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in TEXT


def unit(name: str, lang: str) -> str:
    """A unit as written in ``lang`` (unknown units as given)."""
    return UNITS[name][_index(lang)] if name in UNITS else name


def kpi(name: str, lang: str) -> str:
    """The name of a KPI (the KPI's code if the table lacks it)."""
    key = f"kpi.{name}"
    return t(key, lang) if key in TEXT else name


def role(name: str, lang: str) -> str:
    key = f"role.{name}"
    return t(key, lang) if key in TEXT else name


def group(name: str, lang: str) -> str:
    """A KPI group as shown: urgencies and site ids as they are, ``role:x`` as the role,
    a few fixed words translated."""
    if name.startswith("role:"):
        return role(name.removeprefix("role:"), lang)
    key = f"group.{name}"
    return t(key, lang) if key in TEXT else name


def day(index: int, lang: str) -> str:
    return t(f"day.{index % 7}", lang)


def number(value: float, lang: str, digits: int = 1) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Dutch; an en dash for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def signed(value: float, lang: str, digits: int = 1) -> str:
    """A difference with its sign: ``+1.2``, ``−0.4`` (a true minus), ``0.0``."""
    text = number(abs(value), lang, digits)
    if text == "–" or float(f"{abs(value):.{digits}f}") == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def minutes(value: float, lang: str) -> str:
    """A duration for a norm label: ``30 s``, ``15 min``, ``3 h``, ``24 h``."""
    if value < 1:
        return f"{number(value * 60, lang, 0)} s"
    if value >= 120 and value % 60 == 0:
        return f"{number(value / 60, lang, 0)} {unit('h', lang)}"
    digits = 0 if float(value).is_integer() else 1
    return f"{number(value, lang, digits)} min"


def percent(value: float, lang: str, digits: int = 0) -> str:
    return f"{number(value, lang, digits)}%"
