//! Plain words for parents: what a fitness 等级 means and what to practise for an item scored
//! under 60. No jargon; advice is general exercise, not a medical judgement.
use wuyu_standards::{FitnessItem, Level};

/// One sentence on a term's result.
pub fn level_explanation_zh(level: Option<Level>, complete: bool) -> &'static str {
    if !complete {
        return "有项目没有测，暂时没有总评等级；请留意学校的补测安排。";
    }
    match level {
        Some(Level::Excellent) => "优秀：身体素质在同年级同性别学生中很好，继续保持运动习惯。",
        Some(Level::Good) => "良好：身体素质较好，个别项目还可以再提高。",
        Some(Level::Pass) => "及格：达到了国家标准的基本要求，多数项目还有提高空间。",
        Some(Level::Fail) => {
            "不及格：还没有达到国家标准的基本要求，需要坚持锻炼，下次测试前重点练习下面的项目。"
        }
        None => "暂无总评等级。",
    }
}

/// What to practise for an item scored under 60.
pub fn practice_zh(item: FitnessItem) -> &'static str {
    match item {
        FitnessItem::Bmi => "体重指数：饮食均衡、少吃零食和含糖饮料，每天户外活动 1 小时。",
        FitnessItem::VitalCapacity => "肺活量：多做跑步、跳绳、游泳等耐力运动，练习深呼吸。",
        FitnessItem::Run50m => "50米跑：练习快速起跑和高抬腿，每周 2～3 次短距离冲刺跑。",
        FitnessItem::SitAndReach => {
            "坐位体前屈：每天睡前做坐位体前屈和压腿拉伸，每次 10 分钟，动作要慢。"
        }
        FitnessItem::RopeSkip1min => "一分钟跳绳：每天跳绳，先求连续不断，再逐步加快速度。",
        FitnessItem::SitUp1min => "一分钟仰卧起坐：练习仰卧起坐和平板支撑，增强腹部力量。",
        FitnessItem::Shuttle50x8 => "50米×8往返跑：练习折返跑和慢跑，提高耐力和转身速度。",
        FitnessItem::StandingLongJump => "立定跳远：练习摆臂起跳、蛙跳和跳台阶，增强腿部爆发力。",
        FitnessItem::PullUp => "引体向上：先练悬垂和斜身引体，逐步增加次数。",
        FitnessItem::Run1000m | FitnessItem::Run800m => {
            "耐力跑：每周 3 次 15～20 分钟慢跑，逐步加快配速。"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_and_level_has_plain_words() {
        for item in FitnessItem::ALL {
            assert!(practice_zh(item).contains('：'), "{item:?}");
        }
        assert!(level_explanation_zh(Some(Level::Fail), true).contains("不及格"));
        assert!(level_explanation_zh(Some(Level::Excellent), false).contains("没有测"));
    }
}
