use super::*;

/// A tiny scripted drive: answers INQUIRY with fixed data, TEST UNIT READY with
/// "medium not present", and times out on anything else.
struct Scripted;

impl Transport for Scripted {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match (cdb.first(), data) {
            (Some(0x12), DataPhase::In(buf)) => {
                let answer = [5u8, 0x80, 0, 0x32, 0];
                let n = answer.len().min(buf.len());
                buf[..n].copy_from_slice(&answer[..n]);
                Ok(Completion::good_with_residual(buf.len() - n))
            }
            (Some(0x00), _) => Ok(Completion::check_condition(
                &[0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0, 0, 0, 0, 0],
                0,
            )),
            _ => Err(TransportError::Timeout),
        }
    }
}

fn session<T: Transport>(t: &mut T) -> Vec<Result<Completion, TransportError>> {
    let mut buf = [0u8; 36];
    vec![
        t.execute(
            &[0x12, 0, 0, 0, 36, 0],
            DataPhase::In(&mut buf),
            Duration::from_secs(10),
        ),
        t.execute(
            &[0, 0, 0, 0, 0, 0],
            DataPhase::None,
            Duration::from_secs(10),
        ),
        t.execute(
            &[0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0],
            DataPhase::Out(&[1, 2, 3, 4]),
            Duration::from_secs(10),
        ),
    ]
}

#[test]
fn a_recorded_transcript_replays_the_same_answers() {
    let mut traced = Tracing::new(Scripted);
    let live = session(&mut traced);
    let jsonl = traced.to_jsonl();
    assert_eq!(jsonl.lines().count(), 3);
    assert!(jsonl.contains("\"command\":\"INQUIRY\""));

    let records = read_jsonl(jsonl.as_bytes()).unwrap();
    assert_eq!(records, traced.records());
    let mut replay = Replay::new(records.clone());
    let replayed = session(&mut replay);
    assert_eq!(live, replayed);
    assert_eq!(replay.remaining(), 0);

    // data-in is reproduced, not just the status
    let mut replay = Replay::new(records.clone());
    let mut buf = [0u8; 36];
    replay
        .execute(
            &[0x12, 0, 0, 0, 36, 0],
            DataPhase::In(&mut buf),
            Duration::from_secs(1),
        )
        .unwrap();
    assert_eq!(&buf[..5], &[5, 0x80, 0, 0x32, 0]);

    assert_eq!(replay_against(&mut Scripted, &records), Ok(()));
}

#[test]
fn replay_reports_the_first_divergence() {
    let mut traced = Tracing::new(Scripted);
    session(&mut traced);
    let records = traced.records().to_vec();

    let mut replay = Replay::new(records.clone());
    let err = replay
        .execute(
            &[0x00, 0, 0, 0, 0, 1],
            DataPhase::None,
            Duration::from_secs(1),
        )
        .unwrap_err();
    assert!(err.to_string().contains("at command 1"), "{err}");

    /// Answers TEST UNIT READY with GOOD: differs from the recording at command 2.
    struct AlwaysReady;
    impl Transport for AlwaysReady {
        fn execute(
            &mut self,
            cdb: &[u8],
            data: DataPhase<'_>,
            t: Duration,
        ) -> Result<Completion, TransportError> {
            if cdb.first() == Some(&0) {
                Ok(Completion::good())
            } else {
                Scripted.execute(cdb, data, t)
            }
        }
    }
    let d = replay_against(&mut AlwaysReady, &records).unwrap_err();
    assert_eq!(d.seq, 2);
    assert!(d.what.contains("status 00, recorded 02"), "{d}");
}

#[test]
fn long_data_is_recorded_by_digest() {
    let mut traced = Tracing::new(Scripted).with_max_inline(2);
    session(&mut traced);
    let inquiry = &traced.records()[0];
    match &inquiry.outcome {
        TraceOutcome::Completed {
            data_in,
            data_in_blake3,
            ..
        } => {
            assert_eq!(data_in, &None);
            assert_eq!(
                data_in_blake3.as_deref(),
                Some(digest(&[5, 0x80, 0, 0x32, 0]).as_str())
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let err = replay_against(&mut Scripted, traced.records()).unwrap_err();
    assert_eq!(err.seq, 3, "{err}");
}

#[test]
fn malformed_transcripts_name_the_line() {
    let err = read_jsonl("\n{\"seq\":1}\n".as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("transcript line 2:"), "{err}");
}
