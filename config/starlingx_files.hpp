#pragma once
// starlingx mode: what hbsAgent reads from StarlingX's own files (reference §2.2, §5.1,
// §9.1) fills every setting the TOML leaves unset: /etc/mtc.conf, then /etc/mtc.ini (puppet's,
// over it), then /etc/platform/platform.conf. The TOML always wins. The mapping:
//
//   mtc.conf / mtc.ini key                      hbs setting
//   heartbeat_period                            agent.period_ms (outside 100..1000: 100)
//   hbs_minor_threshold                         thresholds.minor
//   heartbeat_degrade_threshold                 thresholds.degrade
//   heartbeat_failure_threshold                 thresholds.loss
//   heartbeat_failure_action                    agent.failure_action (unknown: fail)
//   [agent] scheduling_priority                 agent.scheduling_priority
//   multicast                                   networks.*.multicast_group
//   hbs_agent_mgmnt_port / hbs_agent_clstr_port networks.<net>.agent_port
//   hbs_client_mgmnt_port / _clstr_port         networks.<net>.client_port
//   mtc_to_hbs_cmd_port                         starlingx.command_port
//   hbs_to_mtc_event_port                       starlingx.event_port
//   mtcalarm_req_port                           starlingx.alarm_port
//   sm_server_port / sm_client_port             sm.server_port / sm.client_port
//   platform.conf system_type                   agent.system_type ("All-in-one": aio)

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace hbs::cfg {

// toml_text is the configuration c was parsed from (its keys win). A value that is not a
// number in range is a problem naming the file and the key; notes say what was taken.
void apply_starlingx_files(std::string_view toml_text, agent_config& c,
                           std::vector<std::string>& problems, std::vector<std::string>& notes);

// hbs-agent's loader: the TOML, then (starlingx mode) the files, then validation again. Not
// in load.cpp, so hbs-client does not link the INI parser.
loaded<agent_config> load_agent_config_and_files(const std::string& path);

} // namespace hbs::cfg
