DROP TABLE plausibility_flags;
