#pragma once
// The bad-input table of the jobs a worker takes (gps/v1/jobs/{step}): every row of
// bad_messages.h for the job payload, plus what only a job can get wrong (its id, its step, its
// correlation data and response topic). Each row says whether the worker answers it with a
// permanent failure (its correlation data names a job of the worker's step and its response topic
// is the step's results topic) or drops it; the rows it answers carry distinct job ids, so each
// answer can be told apart. Run by gps/worker/job_intake_test.cpp and, against a running worker,
// by engine/tests/bad_input_test.cpp. For tests only. Pure; thread-safe.

#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/protocol/job.h"
#include "gps/testing/bad_messages.h"

namespace gps::testing {

struct BadJob {
  BadMessage row;
  bool answered = false;  // the worker publishes a permanent failure for it
};

// A job the worker of step accepts: a name check for device_id with these key and deadline.
mqtt::Message ValidJobMessage(protocol::Step step, const std::string& device_id,
                              const std::string& pubkey_pem, int attempt, Instant deadline);

// Every way the table knows to get a job of step for device_id wrong.
std::vector<BadJob> BadJobs(protocol::Step step, const std::string& device_id,
                            const std::string& pubkey_pem);

}  // namespace gps::testing
