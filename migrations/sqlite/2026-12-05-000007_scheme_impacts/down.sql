DROP TABLE scheme_impacts;
