"""Staff urgency decisions of a province whose own words mislead the danger
words: its ward, market and bus station are called Cầu Sập, so everyday
reports there read as collapses, and the coordinators clear those flags;
real collapses, fires and floods stay urgent. Written for these tests (no
sentence from the sample data)."""

from __future__ import annotations

# Cleared by the coordinator: a place name, not a danger.
PLACE_NAMES = [
    "Đường vào chợ Cầu Sập nhiều ổ gà, đề nghị sửa ngay",
    "Rác thải ở bến xe Cầu Sập không ai thu gom, đề nghị xử lý ngay",
    "Đèn đường khu Cầu Sập tắt cả tuần, đề nghị sửa",
    "Quán nhậu gần trường Cầu Sập hát to sau mười giờ đêm",
    "Vỉa hè phường Cầu Sập bị lấn chiếm làm chỗ bán hàng",
    "Cống thoát nước chợ Cầu Sập bốc mùi hôi",
    "Xe tải đỗ chắn lối vào bến xe Cầu Sập cả buổi sáng",
    "Chó thả rông quanh trường Cầu Sập, đề nghị nhắc nhở",
    "Nước máy phường Cầu Sập có màu vàng, đề nghị kiểm tra",
    "Xin hỏi lịch tiếp dân của phường Cầu Sập",
]

DANGER_TEMPLATES = (
    "Nhà dân ở tổ {n} bị sập tường sau mưa, có người mắc kẹt, cần cứu hộ ngay",
    "Nhà kho cạnh chợ xóm {n} đang bốc cháy, khói đen lan sang nhà dân",
    "Dây điện đứt rơi xuống lòng đường ngõ {n}, rất nguy hiểm cho người đi qua",
    "Tường rào trường học thôn {n} bị sập đè lên xe máy, có người bị thương",
    "Nước lũ dâng cao ở xóm {n}, nhiều hộ bị cô lập, cần sơ tán khẩn cấp",
)
# Kept urgent by the coordinator.
DANGERS = [DANGER_TEMPLATES[i % 5].format(n=i + 2) for i in range(10)]

PLAIN_TEMPLATES = (
    "Rác thải tồn đọng ở đầu ngõ {n} nhiều ngày không ai thu gom",
    "Đèn đường tổ {n} không sáng cả tháng nay",
    "Xin hỏi thủ tục cấp lại giấy khai sinh cho con, hộ số {n}",
    "Mặt đường liên xã đoạn qua thôn {n} nhiều ổ gà",
    "Quán karaoke ở tổ {n} hát to sau mười giờ đêm",
)
PLAIN = [PLAIN_TEMPLATES[i % 5].format(n=i + 3) for i in range(10)]

# Unseen by training.
NEW_PLACE_NAME = "Bãi đỗ xe chợ Cầu Sập thu phí quá cao so với quy định"
NEW_COLLAPSE = "Nhà văn hóa xóm 9 bị sập tường, có người mắc kẹt, cần cứu hộ ngay"
