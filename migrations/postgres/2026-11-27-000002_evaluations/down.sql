DROP TABLE warning_events;
DROP TABLE warnings;
DROP TABLE objections;
DROP TABLE evaluation_results;
DROP TABLE evaluations;
