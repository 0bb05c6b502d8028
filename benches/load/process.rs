//! Building and running the bots, and what `/proc` says about them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::fake::Fake;

/// How long a bot may take to reach its first `getUpdates` before the benchmark gives up.
const START_PATIENCE: Duration = Duration::from_secs(20);

/// Builds the release `verify-bot` binary and the echo example; returns the release directory.
///
/// Two cargo invocations: an example pulls in the dev-dependencies' features (tokio's `process`,
/// say), and the binary measured must be the one `cargo build --release` makes.
pub fn build_release() -> PathBuf {
    build_release_of(&[["--bin", "verify-bot"], ["--example", "echo_bot"]])
}

/// Builds each of `targets` (`["--bin", "verify-bot"]`, …) with `cargo build --release`, one
/// invocation each, unless `BENCH_SKIP_BUILD` is set; returns the release directory.
pub fn build_release_of(targets: &[[&str; 2]]) -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("target"));
    if std::env::var_os("BENCH_SKIP_BUILD").is_none() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        for target in targets {
            eprintln!("building: cargo build --release {}", target.join(" "));
            let mut command = std::process::Command::new(&cargo);
            // The variables cargo sets for this benchmark would reach the build scripts' view of
            // the environment (ring reruns on CARGO_PKG_NAME, …) and rebuild half the tree.
            for (name, _) in std::env::vars_os() {
                let name = name.to_string_lossy();
                let injected = [
                    "CARGO_PKG_",
                    "CARGO_MANIFEST_",
                    "CARGO_CRATE_",
                    "CARGO_BIN_",
                ]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                    || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"]
                        .contains(&name.as_ref());
                if injected {
                    command.env_remove(name.as_ref());
                }
            }
            let status = command
                .args(["build", "--release"])
                .args(target)
                .current_dir(&manifest_dir)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "the release build failed");
        }
    }
    target_dir.join("release")
}

/// A bot process started by the benchmark; killed when dropped.
pub struct Bot {
    pub child: Child,
    pub pid: u32,
    pub spawned: Instant,
    log: PathBuf,
}

impl Bot {
    /// Starts `binary` with exactly `env` (nothing inherited), logging to `log`.
    pub fn spawn(binary: &Path, env: &[(String, String)], dir: &Path, log: PathBuf) -> Bot {
        let log_file = std::fs::File::create(&log).expect("a log file");
        let spawned = Instant::now();
        let child = Command::new(binary)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("a log file handle"))
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
        let pid = child.id().expect("a running child has a pid");
        Bot {
            child,
            pid,
            spawned,
            log,
        }
    }

    /// Waits for the first `getUpdates` on `fake`; returns the time since the process was spawned.
    pub async fn cold_start(&mut self, fake: &Fake) -> Duration {
        let deadline = Instant::now() + START_PATIENCE;
        loop {
            if let Some(at) = fake.first_get_updates() {
                return at - self.spawned;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the bot exited during start-up ({status}):\n{}",
                    self.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the bot did not poll for updates within {START_PATIENCE:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// `(VmRSS, VmHWM)` in bytes: the resident set now and its peak so far.
    pub fn rss(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .expect("/proc/<pid>/status is readable");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .map(|kb| kb * 1024)
                .unwrap_or_default()
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// CPU time used so far (user + system).
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .expect("/proc/<pid>/stat is readable");
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks: u64 =
            fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_millis(ticks * 1000 / per_second)
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL and reap.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The processes of one bot deployment: one, or several replicas sharing a database and a fake
/// (each of them polls it). Killed when dropped.
pub struct Bots(pub Vec<Bot>);

impl Bots {
    pub fn pids(&self) -> Vec<u32> {
        self.0.iter().map(|bot| bot.pid).collect()
    }

    /// Waits until every process has called `getUpdates` on `fake`; returns the longest time
    /// from a process's spawn to its first `getUpdates`.
    pub async fn cold_start(&mut self, fake: &Fake) -> Duration {
        if let [bot] = self.0.as_mut_slice() {
            return bot.cold_start(fake).await;
        }
        let deadline = Instant::now() + START_PATIENCE;
        let mut owners: HashMap<u16, u32> = HashMap::new();
        loop {
            let polls = fake.first_polls();
            if polls.keys().any(|port| !owners.contains_key(port)) {
                let ports: Vec<u16> = polls.keys().copied().collect();
                owners.extend(socket_owners(&self.pids(), fake.port(), &ports));
            }
            let firsts: Vec<Option<Instant>> = self
                .0
                .iter()
                .map(|bot| {
                    polls
                        .iter()
                        .filter(|(port, _)| owners.get(*port) == Some(&bot.pid))
                        .map(|(_, at)| *at)
                        .min()
                })
                .collect();
            if firsts.iter().all(Option::is_some) {
                return self
                    .0
                    .iter()
                    .zip(firsts)
                    .map(|(bot, first)| first.unwrap_or(bot.spawned) - bot.spawned)
                    .max()
                    .unwrap_or_default();
            }
            for bot in &mut self.0 {
                if let Ok(Some(status)) = bot.child.try_wait() {
                    panic!("a bot exited during start-up ({status}):\n{}", bot.logs());
                }
            }
            assert!(
                Instant::now() < deadline,
                "not every bot polled for updates within {START_PATIENCE:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// `(VmRSS, VmHWM)` of each process.
    pub fn rss(&self) -> Vec<(u64, u64)> {
        self.0.iter().map(Bot::rss).collect()
    }

    /// CPU time used so far by all of them.
    pub fn cpu_time(&self) -> Duration {
        self.0.iter().map(Bot::cpu_time).sum()
    }

    pub fn logs(&self) -> String {
        self.0
            .iter()
            .map(|bot| format!("--- pid {}:\n{}", bot.pid, bot.logs()))
            .collect()
    }

    pub async fn stop(self) {
        for bot in self.0 {
            bot.stop().await;
        }
    }

    /// How many updates each process took from `fake` since the last call (in `pids()` order),
    /// with its `getUpdates` calls, and what went to connections no process holds any more.
    pub fn updates_taken(&self, fake: &Fake) -> Taken {
        let pollers = fake.take_pollers();
        let ports: Vec<u16> = pollers.keys().copied().collect();
        let owners = socket_owners(&self.pids(), fake.port(), &ports);
        let mut taken = Taken {
            by_process: vec![(0, 0); self.0.len()],
            unattributed: 0,
        };
        for (port, poller) in pollers {
            match owners
                .get(&port)
                .and_then(|pid| self.0.iter().position(|bot| bot.pid == *pid))
            {
                Some(i) => {
                    taken.by_process[i].0 += poller.updates;
                    taken.by_process[i].1 += poller.calls;
                }
                None => taken.unattributed += poller.updates,
            }
        }
        taken
    }
}

/// Updates handed out by a fake, by the process that took them.
#[derive(Clone, Debug, Default)]
pub struct Taken {
    /// `(updates, getUpdates calls)` per process.
    pub by_process: Vec<(u64, u64)>,
    /// Taken through connections that were closed before they could be traced to a process.
    pub unattributed: u64,
}

impl Taken {
    /// E.g. `1503 / 1497 (412 / 405 getUpdates)`.
    pub fn describe(&self) -> String {
        let join = |f: fn(&(u64, u64)) -> u64| {
            self.by_process
                .iter()
                .map(|p| f(p).to_string())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let mut text = format!("{} ({} getUpdates)", join(|p| p.0), join(|p| p.1));
        if self.unattributed > 0 {
            text.push_str(&format!(", {} unattributed", self.unattributed));
        }
        text
    }

    /// Whether every process got some.
    pub fn all_took_some(&self) -> bool {
        self.by_process.iter().all(|p| p.0 > 0)
    }
}

/// Which of `pids` holds each of the loopback connections to port `remote` whose local ports are
/// `ports`: from `/proc/net/tcp{,6}` (local port → socket inode) and `/proc/<pid>/fd`
/// (inode → process). Connections already closed are left out.
pub fn socket_owners(pids: &[u32], remote: u16, ports: &[u16]) -> HashMap<u16, u32> {
    let mut inodes: HashMap<u64, u16> = HashMap::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let port_of = |address: &str| {
                address
                    .rsplit_once(':')
                    .and_then(|(_, port)| u16::from_str_radix(port, 16).ok())
            };
            let (Some(local), Some(rem), Some(inode)) = (
                fields.get(1).and_then(|a| port_of(a)),
                fields.get(2).and_then(|a| port_of(a)),
                fields.get(9).and_then(|i| i.parse::<u64>().ok()),
            ) else {
                continue;
            };
            if rem == remote && ports.contains(&local) && inode != 0 {
                inodes.insert(inode, local);
            }
        }
    }
    let mut owners = HashMap::new();
    for &pid in pids {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(link) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let inode = link
                .to_str()
                .and_then(|l| l.strip_prefix("socket:["))
                .and_then(|l| l.strip_suffix(']'))
                .and_then(|i| i.parse::<u64>().ok());
            if let Some(port) = inode.and_then(|inode| inodes.get(&inode)) {
                owners.insert(*port, pid);
            }
        }
    }
    owners
}

/// Diagnostics (`BENCH_SMAPS=1`): the mappings of `pid` with the largest resident sets.
pub fn print_largest_mappings(pid: u32) {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut mappings: Vec<(u64, String)> = Vec::new();
    let mut name = String::new();
    for line in smaps.lines() {
        if let Some(kb) = line.strip_prefix("Rss:") {
            let kb = kb.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
            mappings.push((kb, name.clone()));
        } else if line
            .split_whitespace()
            .next()
            .is_some_and(|f| f.contains('-'))
        {
            name = line.to_owned();
        }
    }
    mappings.sort_unstable_by_key(|m| std::cmp::Reverse(m.0));
    for (kb, name) in mappings.iter().take(12) {
        eprintln!("  {kb:>8} kB  {name}");
    }
}

/// Size of a file in bytes.
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .len()
}

/// The size of the `verify-bot` container image, from podman or docker, or why it is unknown.
pub fn image_size() -> Result<u64, String> {
    for tool in ["podman", "docker"] {
        let output = std::process::Command::new(tool)
            .args(["image", "inspect", "verify-bot", "--format", "{{.Size}}"])
            .stderr(Stdio::null())
            .output();
        if let Ok(output) = output
            && output.status.success()
            && let Ok(size) = String::from_utf8_lossy(&output.stdout).trim().parse()
        {
            return Ok(size);
        }
    }
    Err("no verify-bot image (podman/docker image inspect found none)".into())
}
