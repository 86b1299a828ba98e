#import "ChatViewController.h"
#import <AgoraSigKit/AgoraSigKit.h>

@interface ChatViewController ()
@property (nonatomic, strong) AgoraAPI *signal;
@end

@implementation ChatViewController

- (void)viewDidLoad {
    [super viewDidLoad];
    self.signal = [AgoraAPI getInstanceWithoutMedia:kAppID];
    __weak typeof(self) weakSelf = self;
    self.signal.onLoginSuccess = ^(uint32_t uid, int fd) {
        [weakSelf.signal channelJoin:@"support"];
    };
    self.signal.onChannelJoinFailed = ^(NSString *channelID, AgoraEcode ecode) {
        if (ecode == AgoraEcode_JOINCHANNEL_E_OTHER) { [weakSelf showError]; }
    };
    self.signal.onMessageChannelReceive = ^(NSString *channelID, NSString *account, uint32_t uid, NSString *msg) {
        [weakSelf append:msg from:account];
    };
    [self.signal login2:kAppID account:@"alice" token:@"_no_need_token" uid:0 deviceID:nil retry_time_in_s:5 retry_count:3];
    // [self.signal messageInstantSend:@"bob" uid:0 msg:@"hi" msgID:nil]; scan: none
    [self.session login]; // scan: none
    NSLog(@"[self.signal logout] ends the session"); // scan: none
}

- (void)sendChat:(NSString *)text {
    [self.signal messageChatSend:@"bob" uid:0 msg:text msgID:nil];
}

@end
