"""The § 99 Abs. 6 SGB VIII statistics of a Jugendamt (rule R23): its records, their checks, the export."""
