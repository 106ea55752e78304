"""Deploy-time validation of a process bundle: every problem at once (`bundle`), from the XML level
(`xml`) through the BPMN modelling rules (`bpmn_rules`) to the Python snippets (`snippets`, checked
by `scripts`).

Pure checks over the bundle's bytes: no database, no cases.
"""
