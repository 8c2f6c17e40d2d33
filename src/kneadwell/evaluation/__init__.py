"""Programme evaluation (issue 13): studies with arms and outcomes, concealed stratified allocation,
blinded outcome assessment, follow-up, and the analysis a sceptical reviewer would accept
(docs/evaluation.md)."""
