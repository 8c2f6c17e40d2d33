"""Every code Kneadwell writes into (or reads from) a FHIR R4B resource, with its system and where it
comes from. Pure data: no Django import.

Checking policy: a code from an external terminology (LOINC, SNOMED CT, HL7) is used only where we found
it in a published specification or implementation guide; the reference is in the comment beside it.
Where we could not confirm a code, the concept gets a code in our own code system
(`LOCAL_BASE/CodeSystem/...`) and the comment says so, rather than a guessed external code. Every coded
element also carries the local code and readable text, so a receiver can always fall back on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- systems ------------------------------------------------------------------------------------------------
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
V3_ROLE_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
AE_SERIOUSNESS: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"

# Our own namespace. `.example` is reserved (RFC 2606), so it can never clash with a real system; a
# deployment that publishes its code systems sets its own base in one place, here.
LOCAL_BASE: Final = "https://kneadwell.example/fhir"
LOCAL_INSTRUMENT: Final = f"{LOCAL_BASE}/CodeSystem/instrument"
LOCAL_PROCEDURE: Final = f"{LOCAL_BASE}/CodeSystem/procedure"
LOCAL_RELATIONSHIP: Final = f"{LOCAL_BASE}/CodeSystem/guardian-relationship"
LOCAL_CONSENT_KIND: Final = f"{LOCAL_BASE}/CodeSystem/consent-kind"
LOCAL_CONSENT_SCOPE: Final = f"{LOCAL_BASE}/CodeSystem/consent-scope"
LOCAL_CONSENT_METHOD: Final = f"{LOCAL_BASE}/CodeSystem/consent-method"
LOCAL_MEASUREMENT_CONTEXT: Final = f"{LOCAL_BASE}/CodeSystem/measurement-context"
LOCAL_INTAKE_CHOICE: Final = f"{LOCAL_BASE}/CodeSystem/intake-choice"
LOCAL_CONDITION: Final = f"{LOCAL_BASE}/CodeSystem/condition"
# Body regions of the content library (regions.yaml ids: head, left_arm, back ...), for Procedure.bodySite.
LOCAL_BODY_REGION: Final = f"{LOCAL_BASE}/CodeSystem/body-region"
# The content library's protocols (protocol ids), as the category of a CarePlan and a Procedure.
LOCAL_PROTOCOL: Final = f"{LOCAL_BASE}/CodeSystem/protocol"
# Our four adverse-event levels (care.models.AdverseEvent.Severity), carried beside the HL7 codes.
LOCAL_AE_SEVERITY: Final = f"{LOCAL_BASE}/CodeSystem/adverse-event-severity"
# Identifier systems: the record numbers inside Kneadwell, and the clinic's own number for a client.
SID_CLIENT: Final = f"{LOCAL_BASE}/sid/client"
SID_CLIENT_NUMBER: Final = f"{LOCAL_BASE}/sid/clinic-number"
SID_RECORD: Final = f"{LOCAL_BASE}/sid/record"
# The intake question sets as Questionnaires: `<QUESTIONNAIRE_BASE>/<question set id>|<content version>`.
QUESTIONNAIRE_BASE: Final = f"{LOCAL_BASE}/Questionnaire"


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


# --- LOINC: growth and birth --------------------------------------------------------------------------------
# 29463-7 Body weight: the code of the FHIR vital-signs body weight profile (HL7 FHIR R4 vital signs);
# also listed in India's NRCES body-measurement value set.
BODY_WEIGHT: Final = Code(LOINC, "29463-7", "Body weight")
# 8306-3 Body height --lying (recumbent length, infants): HL7 CIMI vital-signs "Body Length" profile and
# the mHealth BodyHeight value set (8302-2, 8306-3).
BODY_LENGTH_LYING: Final = Code(LOINC, "8306-3", "Body height --lying")
# 8302-2 Body height (standing): FHIR vital-signs body height profile; same value sets as above.
BODY_HEIGHT: Final = Code(LOINC, "8302-2", "Body height")
# 9843-4 Head Occipital-frontal circumference: FHIR head circumference profile
# (http://hl7.org/fhir/StructureDefinition/headcircum fixes this code).
HEAD_CIRCUMFERENCE: Final = Code(LOINC, "9843-4", "Head Occipital-frontal circumference")
# 8287-5 Head Occipital-frontal circumference by Tape measure: HL7 US Vital Signs IG (STU1) profile. Read
# on import only (other systems send it); we write 9843-4.
HEAD_CIRCUMFERENCE_TAPE: Final = Code(LOINC, "8287-5", "Head Occipital-frontal circumference by Tape measure")
# 76516-4 Gestational age--at birth: HL7 QI-Core example "example-gestation" (value in UCUM `wk`) and the
# HL7 Czech hospital discharge report IG.
GESTATIONAL_AGE_AT_BIRTH: Final = Code(LOINC, "76516-4", "Gestational age--at birth")
# 8339-4 Birth weight Measured: used for birth weight in the German MII test data and Dutch (Nictiz)
# perinatal mappings.
BIRTH_WEIGHT: Final = Code(LOINC, "8339-4", "Birth weight Measured")

# --- LOINC: scores ------------------------------------------------------------------------------------------
# 72514-3 Pain severity - 0-10 verbal numeric rating [Score] - Reported: HL7 Belgium patient-monitoring
# IG value set "pain-scale" (points to loinc.org/72514-3) and the French ANS "mesures de santé" pain
# profile, which fixes this code.
PAIN_NRS: Final = Code(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
# Not confirmed, so written with local codes only (LOCAL_INSTRUMENT, code = instrument id):
# - FLACC: 38213-5 appears in one code table as "FLACC pain scale [Score]" but in the OHDSI vocabulary
#   build as the "FLACC pain assessment panel" (a panel, not the total score); the Dutch Nictiz profile
#   uses a national SNOMED extension code. Unresolved, so local.
# - NIPS, PIPP, Modified Ashworth, range of motion, Fugl-Meyer, stool scales, infant diary, body
#   composition: no LOINC code found in a specification we could read. Local.

# --- SNOMED CT ----------------------------------------------------------------------------------------------
# Massage as a procedure (Procedure.code for each session, CarePlan.activity.detail.code for each plan).
# 387854002 is given for massage in two independent third-party sources we found: a FHIR value set of
# complementary therapies derived from the International Patient Summary terminology (next to 44868003
# acupuncture and 386370001 provision of non-nutritive sucking) and a code table labelling it
# "Therapeutic massage". We could NOT check it against SNOMED International's own browser, so every
# Procedure also carries the local code MASSAGE_LOCAL and text; verify 387854002 in a SNOMED browser
# before relying on it (docs/interop.md).
MASSAGE_SNOMED: Final = Code(SNOMED, "387854002", "Massage")
MASSAGE_LOCAL: Final = Code(LOCAL_PROCEDURE, "massage-session", "Therapeutic massage session")

# --- Plans and sessions -------------------------------------------------------------------------------------
# Procedure.status (R4B event-status, required binding): a paused session is still in progress (a pause
# lasts minutes, inside the session), so it is not `on-hold`.
PROCEDURE_STATUS: Final[dict[str, str]] = {
    "in_progress": "in-progress",
    "paused": "in-progress",
    "completed": "completed",
    "stopped": "stopped",
}
# CarePlan.status (R4B request-status, required binding): an ended plan is `completed` whatever its end
# reason (the reason travels as a note).
CAREPLAN_STATUS: Final[dict[str, str]] = {"active": "active", "ended": "completed"}
# CarePlan.activity.detail.status (R4B care-plan-activity-status, required binding).
CAREPLAN_ACTIVITY_STATUS: Final[dict[str, str]] = {"active": "in-progress", "ended": "completed"}

# --- AdverseEvent (R4B) -------------------------------------------------------------------------------------
# Severity: http://terminology.hl7.org/CodeSystem/adverse-event-severity, codes mild | moderate | severe
# (R4B value set "adverse-event-severity", FHIR 4.3.0).
# Seriousness: http://terminology.hl7.org/CodeSystem/adverse-event-seriousness as published with R4/R4B
# (FHIR 4.0.1 and 4.3.0 code system pages: "Non-serious", "Serious" and its children such as
# "SeriousIsLifeThreatening"). Sources disagree on the spelling: later editions of the same code system
# (R5, and IGs built on terminology.hl7.org) write "non-serious" / "serious" in lower case. We export R4B,
# so we write the R4B codes; the local code and text travel beside them.
# Mapping (docs/interop.md): our "serious" level is defined by the serious criteria (life-threatening,
# hospital admission or a longer stay), so it is Serious; mild and moderate are Non-serious. "Severe"
# (needed urgent treatment) is NOT coded either way: whether it met a seriousness criterion (e.g. an
# important medical event) was not recorded, so only text says so rather than asserting Non-serious.
AE_SEVERITY_CODES: Final[dict[str, Code]] = {
    "mild": Code(AE_SEVERITY, "mild", "Mild"),
    "moderate": Code(AE_SEVERITY, "moderate", "Moderate"),
    "severe": Code(AE_SEVERITY, "severe", "Severe"),
    "serious": Code(AE_SEVERITY, "severe", "Severe"),
}
AE_NON_SERIOUS: Final = Code(AE_SERIOUSNESS, "Non-serious", "Non-serious")
AE_SERIOUS: Final = Code(AE_SERIOUSNESS, "Serious", "Serious")
AE_SERIOUSNESS_CODES: Final[dict[str, Code | None]] = {
    "mild": AE_NON_SERIOUS,
    "moderate": AE_NON_SERIOUS,
    "severe": None,
    "serious": AE_SERIOUS,
}

# --- Observation categories (HL7 terminology, observation-category code system) -----------------------------
VITAL_SIGNS: Final = Code(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")
SURVEY: Final = Code(OBSERVATION_CATEGORY, "survey", "Survey")
EXAM: Final = Code(OBSERVATION_CATEGORY, "exam", "Exam")
# laboratory: the category of US Core's laboratory result profile (its serum total bilirubin example).
LABORATORY: Final = Code(OBSERVATION_CATEGORY, "laboratory", "Laboratory")

# --- Consent (R4B) ------------------------------------------------------------------------------------------
# Consent.scope is bound (required) to http://terminology.hl7.org/CodeSystem/consentscope: research,
# patient-privacy, treatment (adr too). Published R4/R4B value set "consent-scope".
SCOPE_TREATMENT: Final = Code(CONSENT_SCOPE, "treatment", "Treatment")
SCOPE_PRIVACY: Final = Code(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")
SCOPE_RESEARCH: Final = Code(CONSENT_SCOPE, "research", "Research")
# 59284-0 Consent Document: the Consent.category used in FHIR Consent examples (R4 spec examples, MII
# consent profile); LOINC display "Consent Document" (older value sets call it "Patient Consent").
CONSENT_DOCUMENT: Final = Code(LOINC, "59284-0", "Consent Document")

# --- RelatedPerson.relationship -----------------------------------------------------------------------------
# v3 RoleCode personal relationships (the R4 "relatedperson-relationshiptype" value set includes
# v3-RoleCode is-a _PersonalRelationshipRoleType; codes read from its published expansion).
# Legal guardian, legal representative and "other carer" have no personal-relationship code there, so
# they carry the local code only.
RELATIONSHIP_V3: Final[dict[str, Code]] = {
    "mother": Code(V3_ROLE_CODE, "MTH", "mother"),
    "father": Code(V3_ROLE_CODE, "FTH", "father"),
    "parent": Code(V3_ROLE_CODE, "PRN", "parent"),
    "grandparent": Code(V3_ROLE_CODE, "GRPRN", "grandparent"),
}


# Which instrument is written with which of these codes, in which Observation category, and which are
# read back on import, is the instruments' own data (`fhir:` in outcomes/instruments/catalogue, read by
# fhir_instruments.py). The data may use only the external codes checked here:
VERIFIED_CODES: Final[frozenset[Code]] = frozenset(
    {
        BODY_WEIGHT,
        BODY_LENGTH_LYING,
        BODY_HEIGHT,
        HEAD_CIRCUMFERENCE,
        HEAD_CIRCUMFERENCE_TAPE,
        PAIN_NRS,
    }
)

# --- units --------------------------------------------------------------------------------------------------
# Our canonical units (outcomes/instruments/catalogue/measurements.yaml) and entry units -> UCUM codes.
# kg, g, cm, mm are UCUM codes as written; g/cm2 is UCUM's "g/cm2"; scores are UCUM's annotation "{score}".
UCUM_UNITS: Final[dict[str, str]] = {
    "kg": "kg",
    "g": "g",
    "cm": "cm",
    "mm": "mm",
    "g/cm2": "g/cm2",
    "mg/cm2": "mg/cm2",
    # Units of the instruments added in issue 15, written as UCUM spells them (mg/dL as in US Core's
    # bilirubin example; µ is written "u" in UCUM codes; d is UCUM's day).
    "µmol/L": "umol/L",
    "mg/dL": "mg/dL",
    "L/min": "L/min",
    "ml/kg/min": "mL/kg/min",
    "days": "d",
    # Context inputs' units (the age at a sample, a treadmill speed, an observation's length).
    "hours": "h",
    "km/h": "km/h",
    "minutes": "min",
}
SCORE_UNIT: Final = "{score}"
# UCUM `wk` (week) and `d` (day) for gestational age; QI-Core's example uses `wk`.
WEEK: Final = "wk"
DAY: Final = "d"

