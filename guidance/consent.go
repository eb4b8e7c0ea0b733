package guidance

// ConsentVersion is the version of the privacy notice in flows/consent.yaml.
// Change it when the notice changes in substance: consents record it.
const ConsentVersion = "2026-12"

// MinorAge is the age of majority in Thai law: below it, a guardian confirms
// consent before personal data is kept.
const MinorAge = 20
