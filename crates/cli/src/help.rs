//! clap in Chinese: the help layout (用法 / 命令 / 选项), the help and version flags, and the
//! parse errors a user sees. The about and help texts themselves are the doc comments of each
//! command's arguments, written in Chinese; the test below keeps them so.
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` and every subcommand below it with Chinese headings and flags.
pub fn localize(cmd: Command) -> Command {
    let is_root = cmd.get_name() == "wuyu";
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .global(false),
        )
        .mut_args(|a| {
            if a.get_help_heading().is_none() {
                a.help_heading("选项")
            } else {
                a
            }
        })
        .mut_subcommands(localize);
    if is_root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    cmd
}

/// clap's own annotations in rendered help, in Chinese (clap has no setting for them).
pub fn annotations_zh(help: &str) -> String {
    [
        ("[default: ", "[默认："),
        ("[env: ", "[环境变量："),
        ("[possible values: ", "[可选值："),
        ("[aliases: ", "[别名："),
        ("Possible values:", "可选值："),
    ]
    .iter()
    .fold(help.to_string(), |h, (en, zh)| h.replace(en, zh))
}

fn context(e: &clap::Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// A parse error as the user reads it: in Chinese, with the argument and value it is about.
/// Help and version requests are not errors and are printed as clap renders them.
pub fn error_zh(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg);
    let value = context(e, ContextKind::InvalidValue);
    let message = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!("缺少必填参数：{arg}"),
        ErrorKind::UnknownArgument => format!("无法识别的参数：{arg}"),
        ErrorKind::InvalidSubcommand => {
            format!(
                "没有这个命令：{}",
                context(e, ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = context(e, ContextKind::ValidValue);
            if valid.is_empty() {
                format!("参数 {arg} 的值“{value}”无效")
            } else {
                format!("参数 {arg} 的值“{value}”无效，可选：{valid}")
            }
        }
        ErrorKind::ArgumentConflict => format!(
            "参数 {arg} 不能与 {} 同时使用",
            context(e, ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("参数 {arg} 的值个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 需要用 = 给出值"),
        ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => format!("命令行参数有误（{}）", e.kind()),
    };
    format!("错误：{message}\n用 --help 查看用法。")
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every command's about and every argument's help, as `--help` shows them.
    fn texts(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
        let path = format!("{path} {}", cmd.get_name());
        if let Some(a) = cmd.get_about() {
            out.push((path.clone(), a.to_string()));
        }
        for a in cmd.get_arguments() {
            if let Some(h) = a.get_help() {
                out.push((format!("{path} --{}", a.get_id()), h.to_string()));
            }
        }
        for s in cmd.get_subcommands() {
            texts(s, &path, out);
        }
    }

    #[test]
    fn every_help_text_is_chinese() {
        let cmd = localize(crate::Cli::command());
        let mut all = Vec::new();
        texts(&cmd, "", &mut all);
        let english: Vec<_> = all.iter().filter(|(_, t)| !has_cjk(t)).collect();
        assert!(english.is_empty(), "help without Chinese: {english:#?}");
    }

    #[test]
    fn headings_and_errors_are_chinese() {
        let mut cmd = localize(crate::Cli::command());
        let help = annotations_zh(&cmd.render_help().to_string());
        assert!(help.contains("用法：") && help.contains("命令") && help.contains("显示帮助"));
        assert!(!help.contains("Usage") && !help.contains("Options") && !help.contains("Print"));
        let demo = cmd
            .find_subcommand_mut("demo")
            .unwrap()
            .render_long_help()
            .to_string();
        let demo = annotations_zh(&demo);
        assert!(
            demo.contains("[默认：8080]") && !demo.contains("default:"),
            "{demo}"
        );
        let e = cmd
            .clone()
            .try_get_matches_from(["wuyu", "nonsense"])
            .unwrap_err();
        assert!(
            error_zh(&e).contains("没有这个命令：nonsense"),
            "{}",
            error_zh(&e)
        );
        let e = cmd.try_get_matches_from(["wuyu", "serve"]).unwrap_err();
        assert!(
            error_zh(&e).contains("缺少必填参数：--db"),
            "{}",
            error_zh(&e)
        );
    }
}
