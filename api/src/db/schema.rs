//! The tables, as diesel sees them; identical on SQLite and PostgreSQL.
#![allow(missing_docs)]

diesel::table! {
    bodies (id) {
        id -> Text,
        approval_no -> Text,
        name -> Text,
        category -> Text,
        province -> Text,
        approved_on -> Date,
        status -> Text,
        status_changed_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        body_id -> Nullable<Text>,
        disabled -> Integer,
        token_version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        disabled -> Integer,
        token_version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    schemes (id) {
        id -> Text,
        code -> Text,
        version -> Integer,
        name -> Text,
        definition -> Text,
        status -> Text,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cycles (id) {
        id -> Text,
        year -> Integer,
        scheme_id -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    late_entry_exceptions (id) {
        id -> Text,
        cycle_id -> Text,
        body_id -> Text,
        closes_at -> Timestamp,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    submissions (id) {
        id -> Text,
        body_id -> Text,
        year -> Integer,
        revision -> Integer,
        status -> Text,
        payload -> Text,
        comment -> Nullable<Text>,
        actor -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    report_heads (body_id, year) {
        body_id -> Text,
        year -> Integer,
        revision -> Integer,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        body_id -> Text,
        kind -> Text,
        severity -> Text,
        occurred_at -> Timestamp,
        reported_at -> Nullable<Timestamp>,
        source -> Text,
        description -> Text,
        evidence -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
        voided_at -> Nullable<Timestamp>,
        void_reason -> Nullable<Text>,
        voided_by -> Nullable<Text>,
    }
}

diesel::table! {
    incident_corrections (id) {
        id -> Text,
        incident_id -> Text,
        old_kind -> Text,
        new_kind -> Text,
        old_severity -> Text,
        new_severity -> Text,
        reason -> Text,
        actor -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    bodies,
    users,
    api_clients,
    schemes,
    cycles,
    late_entry_exceptions,
    submissions,
    report_heads,
    incidents,
    incident_corrections,
    audit_log,
);

diesel::table! {
    evaluations (id) {
        id -> Text,
        year -> Integer,
        scheme_id -> Text,
        status -> Text,
        input_digest -> Nullable<Text>,
        draws -> Integer,
        seed -> BigInt,
        bodies -> Integer,
        summary -> Nullable<Text>,
        failure -> Nullable<Text>,
        created_by -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        objection_deadline -> Nullable<Timestamp>,
        finalized_at -> Nullable<Timestamp>,
        superseded_by -> Nullable<Text>,
        superseded_reason -> Nullable<Text>,
    }
}

diesel::table! {
    evaluation_results (evaluation_id, body_id) {
        evaluation_id -> Text,
        body_id -> Text,
        position -> Integer,
        approval_no -> Text,
        name -> Text,
        category -> Text,
        province -> Text,
        submitted -> Integer,
        total -> Nullable<Double>,
        grade -> Nullable<Text>,
        rank -> Nullable<Integer>,
        category_rank -> Nullable<Integer>,
        warning_level -> Integer,
        borderline -> Integer,
        result -> Text,
    }
}

diesel::table! {
    objections (id) {
        id -> Text,
        evaluation_id -> Text,
        body_id -> Text,
        text -> Text,
        filed_by -> Text,
        filed_at -> Timestamp,
        status -> Text,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    warnings (id) {
        id -> Text,
        evaluation_id -> Text,
        body_id -> Text,
        level -> Integer,
        reasons -> Text,
        findings -> Text,
        status -> Text,
        review_required -> Integer,
        notice_no -> Nullable<Text>,
        notice_year -> Nullable<Integer>,
        notice_seq -> Nullable<Integer>,
        issued_on -> Nullable<Date>,
        deadline -> Nullable<Date>,
        internal_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    warning_events (id) {
        id -> Text,
        warning_id -> Text,
        from_status -> Text,
        to_status -> Text,
        actor -> Text,
        text -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    evaluations,
    evaluation_results,
    objections,
    warnings,
    warning_events,
    bodies,
);

diesel::table! {
    plausibility_flags (id) {
        id -> Text,
        year -> Integer,
        body_id -> Text,
        rule -> Text,
        field -> Text,
        severity -> Text,
        value -> Double,
        reference -> Double,
        message -> Text,
        status -> Text,
        revision -> Integer,
        note -> Nullable<Text>,
        comment -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scheme_impacts (id) {
        id -> Text,
        scheme_id -> Text,
        year -> Integer,
        baseline_id -> Text,
        evaluation_id -> Text,
        input_digest -> Text,
        summary -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(plausibility_flags, bodies);
diesel::allow_tables_to_appear_in_same_query!(plausibility_flags, report_heads);
