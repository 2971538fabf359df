DROP INDEX objections_one_open;
