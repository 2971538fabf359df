DROP TABLE report_heads;
