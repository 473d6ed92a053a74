//! The wording a student reads when answering on a phone: the built-in scales' items in
//! Chinese (our own rendering of the public-domain PHQ, GAD-7 and NIMH ASQ items) and the
//! answer options with the values they score as.
use super::builtin::{ASQ_ITEMS, GAD_ITEMS, PHQ_ITEMS};

/// The time frame of PHQ and GAD-7.
pub const TWO_WEEKS_ZH: &str = "在过去两个星期里，你有多少时候受到以下问题困扰？";

/// PHQ-9 / PHQ-A items (the same scoring, §3).
pub const PHQ_ITEMS_ZH: [&str; PHQ_ITEMS] = [
    "做事时提不起兴趣，或没有乐趣",
    "感到心情低落、沮丧或绝望",
    "入睡困难、睡不安稳，或睡得太多",
    "感觉疲倦或没有精力",
    "食欲不振，或吃得太多",
    "觉得自己很糟，或觉得自己很失败，让自己或家人失望",
    "难以集中注意力，比如读书、看电视或写作业时",
    "动作或说话慢到别人能察觉；或正好相反，坐立不安、动来动去",
    "有不如死掉或用某种方式伤害自己的念头",
];

pub const GAD_ITEMS_ZH: [&str; GAD_ITEMS] = [
    "感到紧张、焦虑或心烦",
    "无法停止或控制担忧",
    "对各种各样的事情担忧过多",
    "很难放松下来",
    "坐立不安，难以安静地坐着",
    "变得容易烦恼或急躁",
    "感到害怕，好像要发生什么可怕的事",
];

/// The four-point frequency answers of PHQ and GAD-7, scored 0–3.
pub const FREQUENCY_ZH: [&str; 4] = ["完全没有", "有几天", "一半以上的天数", "几乎每天"];

pub const ASQ_ITEMS_ZH: [&str; ASQ_ITEMS] = [
    "在过去几个星期里，你是否希望自己死掉？",
    "在过去几个星期里，你是否觉得如果你死了，你或你的家人会过得更好？",
    "在过去一个星期里，你是否有过想要结束自己生命的念头？",
    "你以前是否曾经尝试过结束自己的生命？",
    "你现在是否有想要结束自己生命的念头？",
];

/// ASQ answers as the form offers them: value and label.
pub const ASQ_OPTIONS_ZH: [(&str, &str); 3] =
    [("no", "否"), ("yes", "是"), ("refused", "不想回答")];
