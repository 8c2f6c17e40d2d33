"""Pure methods of programme evaluation (no Django import; tests/test_layers.py holds it): allocation
sequences, eligibility, follow-up time points, the analysis with statsmodels, the CONSORT diagram and the
analysis dataset's file format."""
