"""Page forms for measurements. The entry form is generated from each instrument's definition (items as
radio groups, numbers with their units and ranges, MAS grades and ROM degrees per side, diary rows). Forms
only parse what was typed; the services score and judge it, so pages and API give the same messages.

Each form lives in a module named for what it holds (`measurement`, `weights`, `in_error`, `imports`,
`growth`; the inputs they share in `inputs`); the views import them from there."""
